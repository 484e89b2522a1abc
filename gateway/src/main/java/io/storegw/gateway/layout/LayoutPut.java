package io.storegw.gateway.layout;

/** The body of the admin API's {@code PUT /layout?version=V}: the whole new layout and why. */
public record LayoutPut(Layout layout, String reason) {
}
