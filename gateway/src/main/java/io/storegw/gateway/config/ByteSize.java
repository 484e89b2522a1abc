package io.storegw.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size in bytes written the way people write it: {@code 512KB}, {@code 256MB}, {@code 2GB}. */
public record ByteSize(long bytes) {

    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    /** Parses a size; binary multiples (1KB = 1024 bytes), as df and du print them. */
    @JsonCreator
    public static ByteSize parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 64MB or 1GB, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            default -> 0;
        };
        return new ByteSize(n << shift);
    }

    @Override
    public String toString() {
        return bytes + "B";
    }
}
