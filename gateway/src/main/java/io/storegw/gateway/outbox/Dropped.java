package io.storegw.gateway.outbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.storegw.gateway.event.CloudEventEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of {@code gateway.dropped}: which sequence numbers were removed on purpose, and why.
 *
 * @param reason {@code budget} (shed past the byte budget), {@code expired} (TTL), {@code purged}, {@code consent}, or
 *               {@code refused} (central's broker refused them for good)
 * @param code   with {@code refused}: the broker's MQTT 5 reason code, or 149 (packet too large) for an event larger
 *               than the broker's Maximum Packet Size, which the gateway may not send
 * @param ranges inclusive ranges, written like the {@code sequence} attribute so consumers compare them directly
 */
public record Dropped(String reason, @JsonInclude(JsonInclude.Include.NON_NULL) Integer code, long events, List<Range> ranges) {

    /** An inclusive range of sequence numbers. */
    public record Range(String from, String to) {
    }

    /** Folds sorted sequence numbers into ranges. */
    static Dropped of(String reason, Integer code, long[] sortedSeqs, int count) {
        List<Range> ranges = new ArrayList<>();
        int i = 0;
        while (i < count) {
            int j = i;
            while (j + 1 < count && sortedSeqs[j + 1] == sortedSeqs[j] + 1) {
                j++;
            }
            ranges.add(new Range(CloudEventEncoder.sequence(sortedSeqs[i]), CloudEventEncoder.sequence(sortedSeqs[j])));
            i = j + 1;
        }
        return new Dropped(reason, code, count, List.copyOf(ranges));
    }
}
