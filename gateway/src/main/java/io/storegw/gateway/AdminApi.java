package io.storegw.gateway;

import io.storegw.gateway.admin.AdminHttpServer.Answer;
import io.storegw.gateway.admin.AdminHttpServer.Request;
import io.storegw.gateway.admin.AdminHttpServer.Route;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.EventClass;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutEditor;
import io.storegw.gateway.layout.LayoutPut;
import io.storegw.gateway.layout.LayoutView;
import io.storegw.gateway.layout.StoreLayout;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.outbox.OutboxRow;
import io.storegw.gateway.uplink.Uplink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin API on the Unix socket, for the {@code storegw} command line: status, the queue (stats,
 * peek, purge, sending refused events again), the events committed lately, and the store layout (read,
 * replace). See docs/admin-api.md.
 */
final class AdminApi {

    private static final int MAX_PAGE = 1_000;
    /** Payload bytes per page of queued events (at least one event): an event may be about 1 MB. */
    private static final long MAX_PAGE_BYTES = 1L << 20;

    private final Outbox outbox;
    private final StoreLayout layout;
    private final LayoutEditor editor;
    private final Uplink uplink;
    private final String tillPort;
    private final boolean hearsBle;

    /** @param tillPort where tills post, for the technician's command line; null while the till port is off */
    AdminApi(Outbox outbox, StoreLayout layout, LayoutEditor editor, Uplink uplink, String tillPort, boolean hearsBle) {
        this.outbox = outbox;
        this.layout = layout;
        this.editor = editor;
        this.uplink = uplink;
        this.tillPort = tillPort;
        this.hearsBle = hearsBle;
    }

    Map<String, Route> routes(Supplier<Status> status) {
        Map<String, Route> routes = new LinkedHashMap<>();
        routes.put("GET /status", r -> Answer.json(status.get()));
        routes.put("GET /queue", r -> Answer.json(status.get().backlog()));
        routes.put("GET /queue/events", this::peek);
        routes.put("POST /queue/purge", Route.waiting(this::purge));
        routes.put("POST /queue/resend-refused",
                Route.waiting(r -> Answer.json(uplink.resendRefused((int) Math.min(100, number(r, "max", 10))))));
        routes.put("GET /events", this::recent);
        routes.put("GET /layout", r -> Answer.json(view()));
        routes.put("PUT /layout", Route.waiting(this::replaceLayout));
        return routes;
    }

    /** {@code ?after=SEQ&limit=N}: queued events in sequence order, as central will get them. */
    private Answer peek(Request r) throws Exception {
        List<OutboxRow> rows = outbox.read(number(r, "after", 0), (int) Math.min(MAX_PAGE, number(r, "limit", 10)), MAX_PAGE_BYTES);
        return Answer.rawJson(page(rows, rows.isEmpty() ? number(r, "after", 0) : rows.get(rows.size() - 1).seq(), 0));
    }

    /** {@code ?class=bulk&max=N}: removes up to N of the class's oldest queued events. */
    private Answer purge(Request r) throws Exception {
        String name = r.param("class", "");
        EventClass cls;
        try {
            cls = EventClass.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("class: expected bulk or normal, got '" + name + "'");
        }
        int removed;
        try {
            removed = outbox.purge(cls, (int) Math.min(Integer.MAX_VALUE, number(r, "max", 1_000))).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IllegalArgumentException iae ? iae : e;
        }
        long left = outbox.byClass().stream().filter(c -> c.eventClass() == cls).mapToLong(c -> c.rows()).sum();
        return Answer.json(Map.of("purged", removed, "left", left));
    }

    /** {@code ?after=SEQ&family=F&limit=N}: events committed lately; without {@code after}, the last N. */
    private Answer recent(Request r) {
        int limit = (int) Math.min(MAX_PAGE, number(r, "limit", 100));
        String family = r.param("family", null);
        String prefix = family == null ? null : "io.storegw." + family + ".";
        long after = r.query().containsKey("after") ? number(r, "after", 0) : Math.max(0, outbox.stats().committedSeq() - limit);
        Outbox.RecentPage page = outbox.recent(after, MAX_PAGE);
        List<OutboxRow> rows = new ArrayList<>();
        long next = page.next();
        for (OutboxRow row : page.rows()) {
            if (rows.size() == limit) {
                next = rows.get(rows.size() - 1).seq();
                break;
            }
            if (prefix == null || row.type().startsWith(prefix)) {
                rows.add(row);
            }
        }
        return Answer.rawJson(page(rows, next, page.skipped()));
    }

    private LayoutView view() {
        StoreLayout.View v = layout.view();
        return new LayoutView(v.version(), v.layout(), List.copyOf(new TreeSet<>(editor.fileTills())), v.receiversHeard(), v.beaconsHeard(),
                tillPort, hearsBle);
    }

    /** {@code ?version=V} with {@link LayoutPut}: replaces the layout if it is still at version V. */
    private Answer replaceLayout(Request r) throws Exception {
        LayoutPut put;
        try {
            put = CloudEventEncoder.JSON.readValue(r.body(), LayoutPut.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("expected a layout as JSON: " + e.getOriginalMessage());
        }
        if (put == null || put.layout() == null) {
            throw new IllegalArgumentException("expected {\"layout\": {...}, \"reason\": \"...\"}");
        }
        String reason = put.reason() == null || put.reason().isBlank() ? "changed from the command line" : put.reason();
        editor.replace(put.layout(), number(r, "version", -1), reason);
        return Answer.json(view());
    }

    private static long number(Request r, String name, long otherwise) {
        String value = r.query().get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected a whole number of 0 or more, got '" + value + "'");
        }
    }

    /** A page of events as JSON, the CloudEvents embedded as committed (no re-encoding). */
    private static String page(List<OutboxRow> rows, long next, long skipped) {
        StringBuilder json = new StringBuilder(256 + rows.size() * 512).append("{\"next\":").append(next)
                .append(",\"skipped\":").append(skipped).append(",\"events\":[");
        for (int i = 0; i < rows.size(); i++) {
            json.append(i == 0 ? "" : ",").append(new String(rows.get(i).payload(), StandardCharsets.UTF_8));
        }
        return json.append("]}\n").toString();
    }
}
