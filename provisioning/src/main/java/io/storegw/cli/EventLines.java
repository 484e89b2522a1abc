package io.storegw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.stream.StreamSupport;

/**
 * Turns one event as central receives it into one line a person can read: {@code storegw events tail},
 * {@code storegw queue peek} and the demo's central view.
 */
public final class EventLines {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private EventLines() {
    }

    /** One CloudEvent, one line. */
    public static String line(JsonNode event) {
        String type = event.path("type").asText().replaceFirst("^io\\.storegw\\.", "").replaceFirst("\\.v\\d+$", "");
        JsonNode d = event.path("data");
        String time = CLOCK.format(Instant.parse(event.path("time").asText()));
        String seq = event.path("sequence").asText().replaceFirst("^0+(?=.)", "");
        return String.format("%s  #%-6s %-26s %s", time, seq, type, summary(type, d));
    }

    /** The retained {@code .../state} message, one line. */
    public static String state(JsonNode state) {
        return String.format("%s  gateway is %s%s (backlog %s)", CLOCK.format(Instant.now()),
                state.path("state").asText(), state.path("reason").isTextual() ? ": " + state.path("reason").asText() : "",
                Plural.of(state.path("backlogRows").asLong(), "event"));
    }

    private static String summary(String type, JsonNode d) {
        return switch (type) {
            case "pos.transaction.completed" -> String.format("%s #%d  %s %s, %s%s", d.path("workstation").asText(),
                    d.path("sequenceNumber").asLong(), d.path("currency").asText(), d.path("total").asText(),
                    Plural.of(d.path("lines").size(), "line"),
                    d.path("member").isTextual() ? ", member " + d.path("member").asText()
                            : d.path("loyaltyRef").isTextual() ? ", card " + d.path("loyaltyRef").asText().substring(0, 8) + "…" : "");
            case "store.footfall" -> String.format("%s–%s  in %d, out %d, inside %d", hhmmss(d.path("bucketStart")),
                    hhmmss(d.path("bucketEnd")), d.path("in").asLong(), d.path("out").asLong(), d.path("occupancy").asLong());
            case "store.occupancy" -> String.format("%s–%s  inside %s by the doors, %s phones, %s members", hhmmss(d.path("bucketStart")),
                    hhmmss(d.path("bucketEnd")), orSuppressed(d.path("inside"), "?"), orSuppressed(d.path("phones"), "<" + d.path("k").asInt()),
                    orSuppressed(d.path("members"), "<" + d.path("k").asInt()));
            case "journey.attributed" -> String.format("member %s paid %s %s %ds after entering; zones %s", d.path("member").asText(),
                    d.path("currency").asText(), d.path("total").asText(), d.path("entryToCheckoutSeconds").asLong(),
                    String.join(" > ", d.path("zones").findValuesAsText("zone")));
            case "pickup.arrived" -> String.format("member %s is here for order %s (%s)", d.path("member").asText(), d.path("orderId").asText(),
                    d.path("zone").asText());
            case "pickup.collected" -> String.format("member %s collected order %s", d.path("member").asText(), d.path("orderId").asText());
            case "presence.counts" -> "devices per receiver: " + String.join(", ", StreamSupport
                    .stream(d.path("receivers").spliterator(), false)
                    .map(r -> r.path("receiver").asText().replaceFirst("^rx-", "") + " "
                            + (r.path("suppressed").asBoolean() ? "<" + d.path("k").asInt() : r.path("devices").asText()))
                    .toList());
            case "gateway.telemetry" -> String.format("up %ds, %d observations, backlog %d, heap %d MB", d.path("uptimeS").asLong(),
                    d.path("observationsIn").asLong(), d.path("backlogRows").asLong(), d.path("heapUsedBytes").asLong() >> 20);
            case "gateway.dropped" -> String.format("%d events dropped (%s)", d.path("events").asLong(), d.path("reason").asText());
            case "gateway.alarm" -> d.path("kind").asText() + ": " + d.path("detail").asText();
            case "gateway.layout" -> String.format("layout version %d: %s (%d zones)", d.path("version").asLong(), d.path("reason").asText(),
                    d.path("zones").size());
            default -> d.toString();
        };
    }

    private static String orSuppressed(JsonNode count, String otherwise) {
        return count.isNumber() ? count.asText() : otherwise;
    }

    private static String hhmmss(JsonNode instant) {
        return CLOCK.format(Instant.parse(instant.asText()));
    }
}
