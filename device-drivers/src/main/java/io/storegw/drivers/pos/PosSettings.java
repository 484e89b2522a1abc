package io.storegw.drivers.pos;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * How till documents are read, whatever their format.
 *
 * @param storeZone    applied to date-times written without a zone, and to business days of cloud POS
 *                     systems that only give an instant
 * @param maxBytes     largest document accepted
 * @param loyaltyPaths further POSLog element paths holding a loyalty number ({@code A/B/C}, local names,
 *                     matched at the end of the path inside a transaction), tried after the built-in ones
 * @param currency     the store's ISO 4217 currency, for tills that do not state one (Lightspeed), or
 *                     {@code null} to refuse such transactions
 */
public record PosSettings(ZoneId storeZone, long maxBytes, List<String> loyaltyPaths, String currency) {

    public PosSettings {
        loyaltyPaths = List.copyOf(loyaltyPaths);
    }

    /**
     * A till's date-time: RFC 3339 with an offset, or without one in the store's zone (ISO {@code T} or
     * a space between date and time, as Lightspeed writes it).
     *
     * @param where names the transaction in the error
     */
    public Instant instant(String text, String where) throws PosFormatException {
        return instant(text, storeZone, where);
    }

    /** Like {@link #instant(String, String)}, for a source that documents its own zone. */
    static Instant instant(String text, ZoneId zone, String where) throws PosFormatException {
        Instant at;
        try {
            at = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withoutZone) {
            try {
                at = LocalDateTime.parse(text.replace(' ', 'T')).atZone(zone).toInstant();
            } catch (DateTimeException e) {
                throw new PosFormatException(where + ": '" + text + "' is not a date-time");
            }
        }
        // Java reads years up to 999,999,999, past what a business day can be made of in every zone (it threw) and
        // past RFC 3339's four digits, which the event's time is written in.
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw new PosFormatException(where + ": '" + text + "' is not between the years 1970 and 9999");
        }
        return at;
    }

    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-30T00:00:00Z");

    /** Defaults for a store in {@code storeZone}: 2 MB documents, built-in loyalty paths, no fallback currency. */
    public static PosSettings of(ZoneId storeZone) {
        return new PosSettings(storeZone, 2L * 1024 * 1024, List.of(), null);
    }
}
