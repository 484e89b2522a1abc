package io.storegw.drivers.pos;

import io.storegw.drivers.observation.PosTransaction;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads ARTS/NRF POSLog (2.x and 6.0 as tills write them) with StAX: elements are matched by local
 * name, so namespaces and prefixes do not matter, order does not matter, and vendor extensions are
 * skipped unless named here (NCR ACS's {@code LoyaltyMembership/LoyaltyID}). Only the fields an event
 * may carry are read: names, addresses, birth data and card numbers are never copied.
 *
 * <p>Hostile input is refused before it can do harm: no DOCTYPE (so no external entities and no
 * entity expansion), a bounded document size and element depth.
 */
public final class PosLogParser {

    static final int MAX_DEPTH = 48;
    /** Enough of a document's start for its XML declaration. */
    private static final int DECLARATION_BYTES = 256;
    private static final Pattern ENCODING = Pattern.compile("^(?:\\xEF\\xBB\\xBF)?<\\?xml[^>]*?encoding\\s*=\\s*[\"']([A-Za-z0-9._-]+)[\"']");
    /** Built-in loyalty paths, most specific first. */
    private static final List<String> LOYALTY_PATHS = List.of("LoyaltyAccount/LoyaltyCard/PrimaryAccountNumber",
            "LoyaltyAccount/CustomerID", "Customer/CustomerID", "LoyaltyMembership/LoyaltyID");
    private static final Set<String> NOT_FINISHED = Set.of("canceled", "cancelled", "voided", "suspended", "aborted");

    private final PosSettings settings;
    private final XMLInputFactory factory;

    public PosLogParser(PosSettings settings) {
        this.settings = settings;
        this.factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
    }

    /** Parses one POSLog document. */
    public PosDocument parse(InputStream in) throws PosFormatException {
        XMLStreamReader r = null;
        try {
            r = reader(new BufferedInputStream(new Bounded(in, settings.maxBytes())));
            return read(r);
        } catch (TooLarge e) {
            throw new PosFormatException(e.getMessage());
        } catch (IOException e) {
            throw new PosFormatException("cannot read the document: " + e.getMessage(), e);
        } catch (XMLStreamException e) {
            Throwable cause = e.getNestedException() != null ? e.getNestedException() : e;
            if (cause instanceof TooLarge) {
                throw new PosFormatException(cause.getMessage());
            }
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNumber();
            if (cause instanceof CharacterCodingException) {
                throw new PosFormatException("not UTF-8 text" + where + " (a document that declares no other encoding is UTF-8)", e);
            }
            throw new PosFormatException("not well-formed XML" + where + ": " + firstLine(e.getMessage()), e);
        } catch (BadNumber e) {
            throw new PosFormatException(e.getMessage());
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing left to release
                }
            }
        }
    }

    /**
     * A document in UTF-8 (it declares no other encoding) is decoded here, strictly: the JDK's StAX parser reports its own
     * decoding errors on stderr besides throwing them, so every such post from a till put a stray "[Fatal Error]" line
     * in the journal. Other declared encodings (a till's ISO-8859-1, UTF-16) are left to the parser.
     */
    private XMLStreamReader reader(BufferedInputStream in) throws IOException, XMLStreamException {
        in.mark(DECLARATION_BYTES);
        byte[] head = in.readNBytes(DECLARATION_BYTES);
        in.reset();
        boolean utf16 = head.length >= 2 && ((head[0] == (byte) 0xFE && head[1] == (byte) 0xFF) || (head[0] == (byte) 0xFF && head[1] == (byte) 0xFE)
                || head[0] == 0 || head[1] == 0);
        Matcher declared = ENCODING.matcher(new String(head, StandardCharsets.ISO_8859_1));
        if (utf16 || declared.find() && !declared.group(1).equalsIgnoreCase("UTF-8")) {
            return factory.createXMLStreamReader(in);
        }
        if (head.length >= 3 && head[0] == (byte) 0xEF && head[1] == (byte) 0xBB && head[2] == (byte) 0xBF) {
            in.skipNBytes(3); // the byte order mark: as a character it would be text before the root
        }
        return factory.createXMLStreamReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    private PosDocument read(XMLStreamReader r) throws XMLStreamException, PosFormatException {
        List<String> path = new ArrayList<>();
        List<PosTransaction> transactions = new ArrayList<>();
        List<PosDocument.Skipped> skipped = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        TransactionReader tx = null;
        int txDepth = 0;
        int count = 0;
        String format = "poslog";
        while (r.hasNext()) {
            switch (r.next()) {
                case XMLStreamConstants.DTD -> throw new PosFormatException("DOCTYPE is not allowed in a POSLog (refused: external entities and entity expansion)");
                case XMLStreamConstants.ENTITY_REFERENCE -> throw new PosFormatException("entity reference &" + r.getLocalName() + "; is not allowed");
                case XMLStreamConstants.START_ELEMENT -> {
                    String name = r.getLocalName();
                    path.add(name);
                    text.setLength(0);
                    if (path.size() > MAX_DEPTH) {
                        throw new PosFormatException("elements nested deeper than " + MAX_DEPTH);
                    }
                    if (path.size() == 1) {
                        if (!name.equals("POSLog")) {
                            throw new PosFormatException("not a POSLog document: the root element is <" + name + ">");
                        }
                        String major = attribute(r, "MajorVersion");
                        if (major != null) {
                            String minor = attribute(r, "MinorVersion");
                            format = "poslog-" + major + "." + (minor == null ? "0" : minor);
                        }
                    } else if (tx == null && name.equals("Transaction")) {
                        tx = new TransactionReader(++count, format, settings);
                        tx.flags(r);
                        tx.currencyAttribute(r);
                        txDepth = path.size();
                    } else if (tx != null) {
                        tx.start(relative(path, txDepth), r);
                    }
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> text.append(r.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    if (tx != null) {
                        if (path.size() == txDepth) {
                            tx.finish(transactions, skipped);
                            tx = null;
                        } else {
                            tx.end(relative(path, txDepth), text.toString().strip());
                        }
                    }
                    text.setLength(0);
                    path.remove(path.size() - 1);
                }
                default -> {
                    // comments, processing instructions
                }
            }
        }
        if (count == 0) {
            throw new PosFormatException("POSLog without a Transaction");
        }
        return new PosDocument(transactions, skipped);
    }

    private static String relative(List<String> path, int txDepth) {
        return String.join("/", path.subList(txDepth, path.size()));
    }

    static String attribute(XMLStreamReader r, String localName) {
        for (int i = 0; i < r.getAttributeCount(); i++) {
            if (r.getAttributeLocalName(i).equals(localName)) {
                return r.getAttributeValue(i);
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        String m = message == null ? "" : message.strip();
        int nl = m.indexOf('\n');
        String line = nl < 0 ? m : m.substring(m.lastIndexOf('\n') + 1);
        return line.startsWith("Message: ") ? line.substring(9) : line;
    }

    /** One Transaction element as it is read. */
    private static final class TransactionReader {
        private final int index;
        private final String format;
        private final PosSettings settings;
        private String store;
        private String workstation;
        private String sequence;
        private String businessDay;
        private String begin;
        private String end;
        private String fallbackEnd;
        private String currency;
        private String firstCurrencyAttribute;
        private boolean control;
        private boolean retail;
        private String notCounted;
        private String version;
        private BigDecimal grand;
        private BigDecimal net;
        private BigDecimal tax;
        private BigDecimal discount;
        private String totalType;
        private final String[] loyalty;
        // the line item being read
        private boolean inLine;
        private boolean lineVoid;
        private String lineKind;
        private String itemId;
        private String gtin;
        private String posIdType;
        private String posItemId;
        private String quantity;
        private String amount;
        private String tenderType;
        private String tenderAmount;
        private String promotion;
        private String rewardAmount;
        private final List<PosTransaction.Line> lines = new ArrayList<>();
        private final List<PosTransaction.Tender> tenders = new ArrayList<>();
        private final List<PosTransaction.Reward> rewards = new ArrayList<>();
        private int sales;
        private int returns;

        TransactionReader(int index, String format, PosSettings settings) {
            this.index = index;
            this.format = format;
            this.settings = settings;
            this.loyalty = new String[LOYALTY_PATHS.size() + settings.loyaltyPaths().size()];
        }

        /** Training, cancel and status flags: on the Transaction and the RetailTransaction elements. */
        void flags(XMLStreamReader r) {
            if ("true".equalsIgnoreCase(attribute(r, "TrainingModeFlag"))) {
                notCounted = "training mode";
            }
            if ("true".equalsIgnoreCase(attribute(r, "CancelFlag"))) {
                notCounted = "cancelled";
            }
            String status = attribute(r, "TransactionStatus");
            if (status != null && NOT_FINISHED.contains(status.toLowerCase(Locale.ROOT))) {
                notCounted = "status " + status;
            }
        }

        /** The first ISO currency an amount names, for tills that write no CurrencyCode element. */
        void currencyAttribute(XMLStreamReader r) {
            String currencyAttribute = attribute(r, "Currency");
            if (currencyAttribute == null) {
                currencyAttribute = attribute(r, "CurrencyCode");
            }
            if (firstCurrencyAttribute == null && currencyAttribute != null && currencyAttribute.matches("[A-Z]{3}")
                    && !currencyAttribute.equals("XXX")) {
                firstCurrencyAttribute = currencyAttribute;
            }
        }

        void start(String path, XMLStreamReader r) {
            currencyAttribute(r);
            switch (path) {
                case "ControlTransaction" -> control = true;
                case "RetailTransaction" -> {
                    retail = true;
                    version = attribute(r, "Version");
                    flags(r);
                }
                case "RetailTransaction/Total" -> totalType = attribute(r, "TotalType");
                case "RetailTransaction/LineItem" -> {
                    inLine = true;
                    lineVoid = "true".equalsIgnoreCase(attribute(r, "VoidFlag"));
                    lineKind = null;
                    itemId = gtin = posIdType = posItemId = quantity = amount = null;
                    tenderType = tenderAmount = promotion = rewardAmount = null;
                }
                case "RetailTransaction/LineItem/Sale", "RetailTransaction/LineItem/Return" -> {
                    lineKind = path.endsWith("Sale") ? "sale" : "return";
                    lineVoid |= "true".equalsIgnoreCase(attribute(r, "VoidFlag"));
                }
                case "RetailTransaction/LineItem/Tender" -> {
                    lineKind = "tender";
                    tenderType = attribute(r, "TenderType");
                    lineVoid |= "true".equalsIgnoreCase(attribute(r, "VoidFlag"));
                }
                case "RetailTransaction/LineItem/LoyaltyReward" -> lineKind = "reward";
                case "RetailTransaction/LineItem/Sale/POSIdentity", "RetailTransaction/LineItem/Return/POSIdentity" ->
                        posIdType = attribute(r, "POSIDType");
                default -> {
                    // read at the end of the element
                }
            }
        }

        void end(String path, String text) {
            switch (path) {
                case "RetailStoreID", "BusinessUnit/UnitID" -> store = text;
                case "WorkstationID" -> workstation = text;
                case "SequenceNumber" -> sequence = text;
                case "BeginDateTime" -> begin = text;
                case "EndDateTime" -> end = text;
                case "POSLogDateTime", "RetailTransaction/ReceiptDateTime", "ReceiptDateTime" -> {
                    if (fallbackEnd == null) {
                        fallbackEnd = text;
                    }
                }
                case "CurrencyCode" -> currency = text;
                case "TrainingModeFlag" -> {
                    if ("true".equalsIgnoreCase(text)) {
                        notCounted = "training mode";
                    }
                }
                case "RetailTransaction/Total" -> total(text);
                case "RetailTransaction/LineItem" -> endLine();
                default -> {
                    if (path.endsWith("BusinessDayDate") && businessDay == null) {
                        businessDay = text; // wherever it stands
                    } else if (inLine) {
                        lineField(path, text);
                    }
                    loyaltyField(path, text);
                }
            }
        }

        private void lineField(String path, String text) {
            String field = path.substring(path.lastIndexOf('/') + 1);
            String parent = path.substring("RetailTransaction/LineItem/".length());
            switch (parent) {
                case "Sale/ItemID", "Return/ItemID" -> itemId = text;
                case "Sale/POSIdentity/POSItemID", "Return/POSIdentity/POSItemID" -> posItemId = text;
                case "Sale/Quantity", "Return/Quantity" -> quantity = text;
                case "Sale/ExtendedAmount", "Return/ExtendedAmount" -> amount = text;
                case "Tender/Amount" -> tenderAmount = text;
                case "LoyaltyReward/PromotionID" -> promotion = text;
                default -> {
                    if (parent.startsWith("LoyaltyReward/") && field.equals("ExtendedRewardAmount")) {
                        rewardAmount = text;
                    }
                }
            }
            if (posItemId != null && "GTIN".equalsIgnoreCase(posIdType)) {
                gtin = posItemId;
            }
        }

        private void loyaltyField(String path, String text) {
            if (text.isEmpty()) {
                return;
            }
            for (int i = 0; i < LOYALTY_PATHS.size(); i++) {
                if (loyalty[i] == null && (path.equals(LOYALTY_PATHS.get(i)) || path.endsWith("/" + LOYALTY_PATHS.get(i)))) {
                    loyalty[i] = text;
                }
            }
            for (int i = 0; i < settings.loyaltyPaths().size(); i++) {
                String p = settings.loyaltyPaths().get(i);
                int slot = LOYALTY_PATHS.size() + i;
                if (loyalty[slot] == null && (path.equals(p) || path.endsWith("/" + p))) {
                    loyalty[slot] = text;
                }
            }
        }

        private void total(String text) {
            if (totalType == null) {
                return;
            }
            switch (totalType.substring(totalType.indexOf(':') + 1)) {
                case "TransactionGrandAmount" -> grand = decimal(text);
                case "TransactionNetAmount" -> net = decimal(text);
                case "TransactionTaxAmount" -> tax = decimal(text);
                case "TransactionDiscountAmount", "DiscountTotal" -> discount = decimal(text);
                default -> {
                    // gross, counts and vendor totals are not published
                }
            }
        }

        private void endLine() {
            inLine = false;
            if (lineVoid || lineKind == null) {
                return;
            }
            switch (lineKind) {
                case "sale", "return" -> {
                    if (itemId == null && posItemId != null) {
                        itemId = posItemId;
                    }
                    if (itemId == null || amount == null) {
                        return; // an item line without an item or amount is not a sale line (e.g. a comment)
                    }
                    BigDecimal q = quantity == null ? BigDecimal.ONE : decimal(quantity);
                    BigDecimal a = decimal(amount);
                    if (lineKind.equals("return")) {
                        q = q.abs().negate();
                        a = a.abs().negate();
                        returns++;
                    } else {
                        sales++;
                    }
                    lines.add(new PosTransaction.Line(itemId, gtin, q, a));
                }
                case "tender" -> {
                    if (tenderAmount != null) {
                        tenders.add(new PosTransaction.Tender(tenderType == null ? "unknown" : tenderType, decimal(tenderAmount)));
                    }
                }
                case "reward" -> {
                    if (promotion != null) {
                        rewards.add(new PosTransaction.Reward(promotion, rewardAmount == null ? null : decimal(rewardAmount)));
                    }
                }
                default -> {
                }
            }
        }

        void finish(List<PosTransaction> out, List<PosDocument.Skipped> skipped) throws PosFormatException {
            String name = "transaction " + index + (sequence == null ? "" : " (sequence " + sequence + ")");
            if (control) {
                skipped.add(new PosDocument.Skipped(name, "control transaction"));
                return;
            }
            if (!retail) {
                skipped.add(new PosDocument.Skipped(name, "not a retail transaction"));
                return;
            }
            if (notCounted != null) {
                skipped.add(new PosDocument.Skipped(name, notCounted));
                return;
            }
            if (workstation == null || workstation.isEmpty()) {
                throw new PosFormatException(name + ": no WorkstationID");
            }
            long seq;
            try {
                seq = Long.parseLong(require(sequence, name, "SequenceNumber"));
            } catch (NumberFormatException e) {
                throw new PosFormatException(name + ": SequenceNumber '" + sequence + "' is not a number");
            }
            Instant endTime = instant(end != null ? end : require(fallbackEnd, name, "EndDateTime"), name);
            LocalDate day;
            try {
                day = businessDay != null ? LocalDate.parse(businessDay.substring(0, Math.min(10, businessDay.length())))
                        : LocalDate.ofInstant(endTime, settings.storeZone());
            } catch (DateTimeParseException e) {
                throw new PosFormatException(name + ": BusinessDayDate '" + businessDay + "' is not a date");
            }
            String cur = currency != null ? currency : firstCurrencyAttribute != null ? firstCurrencyAttribute : settings.currency();
            if (cur == null || !cur.matches("[A-Z]{3}")) {
                throw new PosFormatException(name + ": no currency (CurrencyCode or a Currency attribute)");
            }
            BigDecimal grandTotal = grand;
            if (grandTotal == null) {
                if (tenders.isEmpty()) {
                    throw new PosFormatException(name + ": no TransactionGrandAmount total and no tenders to take it from");
                }
                grandTotal = tenders.stream().map(PosTransaction.Tender::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            }
            Optional<String> card = Optional.empty();
            for (String candidate : loyalty) {
                if (candidate != null) {
                    card = Optional.of(candidate);
                    break;
                }
            }
            PosTransaction.Kind kind = returns > 0 && sales == 0 || sales == 0 && grandTotal.signum() < 0
                    ? PosTransaction.Kind.RETURN : PosTransaction.Kind.SALE;
            String source = !format.equals("poslog") || version == null ? format : "poslog-" + version;
            out.add(new PosTransaction(endTime, begin == null ? null : instant(begin, name), store, workstation, day, seq, null,
                    kind, cur, new PosTransaction.Totals(grandTotal, net, tax, discount), lines, tenders, rewards, card, source));
        }

        private static String require(String value, String name, String element) throws PosFormatException {
            if (value == null || value.isEmpty()) {
                throw new PosFormatException(name + ": no " + element);
            }
            return value;
        }

        private Instant instant(String text, String name) throws PosFormatException {
            return settings.instant(text, name);
        }

        private BigDecimal decimal(String text) {
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw new BadNumber(text);
            }
        }
    }

    /** A number that is not one, raised deep in a line and reported for the document. */
    private static final class BadNumber extends RuntimeException {
        BadNumber(String text) {
            super("'" + text + "' is not a number", null, false, false);
        }
    }

    /** Stops reading past {@code maxBytes}. */
    private static final class Bounded extends FilterInputStream {
        private final long max;
        private long read;

        Bounded(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) throws TooLarge {
            read += n;
            if (read > max) {
                throw new TooLarge("document larger than " + max + " bytes");
            }
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }
}
