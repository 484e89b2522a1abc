package io.storegw.drivers.counter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.storegw.drivers.Errors;
import io.storegw.drivers.json.StrictJson;
import io.storegw.drivers.observation.DeviceStatus;
import io.storegw.drivers.observation.DoorCounts;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.source.Refused;
import io.storegw.drivers.source.SourceThread;
import java.io.IOException;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * People counters that expose cumulative totals over HTTP (the Axis People Counter's
 * {@code live-sum.json}: {@code serial}, {@code in}, {@code out}). Each poll turns the change since the
 * last one into {@code DoorCounts}; a total that goes down, or a new serial, is a counter reset (the
 * count restarts from 0, e.g. at midnight). The last totals are kept in a state file once the counts
 * are durable, so a gateway restart counts the people who passed while it was down, once.
 */
public final class HttpCounterSource implements ObservationSource {

    /**
     * One counter.
     *
     * @param id           the door it counts, as events name it
     * @param url          its live totals ({@code http://CAMERA/local/tvpc/.api?live-sum.json})
     * @param username     for HTTP Basic authentication, or null
     * @param passwordFile holds the password, or null
     */
    public record Counter(String id, URI url, String username, Path passwordFile) {
    }

    /** @param stateFile where the last durable totals are kept */
    public record Settings(List<Counter> counters, Duration poll, Path stateFile) {
        public Settings {
            counters = List.copyOf(counters);
        }
    }

    /** Totals as a counter last reported them. */
    record Totals(String serial, long in, long out) {
    }

    static final String NAME = "http-counters";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DURABLE_WAIT_SECONDS = 60;
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final Settings settings;
    private final Clock clock;
    private final Map<String, HttpClient> clients = new HashMap<>();
    private final Map<String, Totals> last;
    private final Map<String, Boolean> reachable = new HashMap<>();
    private volatile SourceThread thread;
    private volatile String problem;

    public HttpCounterSource(Settings settings, Clock clock) throws IOException {
        this.settings = settings;
        this.clock = clock;
        Map<String, Totals> kept;
        try {
            kept = load(settings.stateFile());
        } catch (JsonProcessingException e) {
            // a damaged file: start again from each counter's next totals, and say so
            kept = new HashMap<>();
            problem = "counter totals in " + settings.stateFile() + " unreadable, starting afresh: " + e.getOriginalMessage();
        }
        this.last = kept;
        for (Counter c : settings.counters()) {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
            if (c.username() != null) {
                char[] password = c.passwordFile() == null ? new char[0]
                        : Files.readString(c.passwordFile(), StandardCharsets.UTF_8).strip().toCharArray();
                b.authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return new PasswordAuthentication(c.username(), password);
                    }
                });
            }
            clients.put(c.id(), b.build());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public void start(ObservationSink sink) {
        thread = SourceThread.start("source-http-counters", () -> {
            while (!Thread.currentThread().isInterrupted()) {
                pollOnce(sink);
                Thread.sleep(settings.poll().toMillis());
            }
        });
    }

    /** Polls every counter once. */
    void pollOnce(ObservationSink sink) throws InterruptedException {
        String trouble = null;
        for (Counter c : settings.counters()) {
            Instant at = clock.instant();
            Totals now;
            try {
                now = fetch(c);
            } catch (IOException e) {
                BadAnswer bad = BadAnswer.in(e);
                String why = bad != null ? bad.getMessage() : Errors.describe(e);
                trouble = "counter " + c.id() + ": " + (bad != null ? c.url() + " answered what is not a counter's totals: "
                        : "cannot reach " + c.url() + ": ") + why;
                if (bad != null) {
                    sink.refused(NAME, bad.reason, trouble);
                }
                if (!Boolean.FALSE.equals(reachable.put(c.id(), false))) {
                    sink.accept(new DeviceStatus(at, c.id(), DeviceStatus.State.OFFLINE, "unreachable: " + why));
                }
                continue;
            }
            if (!Boolean.TRUE.equals(reachable.put(c.id(), true))) {
                sink.accept(new DeviceStatus(at, c.id(), DeviceStatus.State.ONLINE, "heard"));
            }
            Totals before = last.get(c.id());
            if (before == null) {
                // a counter seen for the first time: its totals so far were counted before storegw was there
                remember(c.id(), now);
                continue;
            }
            boolean reset = !now.serial().equals(before.serial()) || now.in() < before.in() || now.out() < before.out();
            long in = reset ? now.in() : now.in() - before.in();
            long out = reset ? now.out() : now.out() - before.out();
            if (in == 0 && out == 0) {
                continue;
            }
            try {
                sink.accept(new DoorCounts(at, c.id(), in, out)).toCompletableFuture().get(DURABLE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // not durable: keep the old totals, so the next poll counts these people again, with the later ones
                trouble = "counter " + c.id() + ": counts not taken yet: "
                        + (e instanceof ExecutionException ? Refused.of(e.getCause()).getMessage() : "timed out");
                continue;
            }
            remember(c.id(), now);
        }
        problem = trouble;
    }

    private Totals fetch(Counter c) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = clients.get(c.id()).send(HttpRequest.newBuilder(c.url()).timeout(Duration.ofSeconds(10)).GET().build(),
                atMost(MAX_ANSWER_BYTES));
        if (r.statusCode() != 200) {
            throw new IOException("it answered HTTP " + r.statusCode());
        }
        return totals(r.body());
    }

    /** A counter's answer read: its serial and whole totals of 0 or more, or why it is not one. */
    static Totals totals(byte[] body) throws BadAnswer {
        JsonNode json;
        try {
            json = StrictJson.read(body);
        } catch (StrictJson.Invalid e) {
            throw new BadAnswer("malformed", e.getMessage());
        }
        JsonNode in = json.path("in");
        JsonNode out = json.path("out");
        if (!whole(in) || !whole(out)) {
            throw new BadAnswer("malformed", "expected whole in and out totals, got in=" + in + " out=" + out);
        }
        String serial = StrictJson.text(json, "serial");
        return new Totals(serial == null ? "" : serial, in.asLong(), out.asLong());
    }

    /** A count: a whole JSON number of 0 or more that fits a long (Jackson would round 2.5 to 2). */
    private static boolean whole(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0;
    }

    /** An answer that is not a counter's totals: bad input, counted by its reason, where an unreachable counter is not. */
    static final class BadAnswer extends IOException {
        final String reason;

        BadAnswer(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        /** The bad answer behind {@code e} (the HTTP client wraps what a body subscriber fails with), or null. */
        static BadAnswer in(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BadAnswer bad) {
                    return bad;
                }
            }
            return null;
        }
    }

    /**
     * The body as bytes, failing once it passes {@code max}: a counter answers in a few hundred bytes, and a
     * URL that reaches something else (a camera's video stream) would otherwise be read into the heap for ever.
     */
    static HttpResponse.BodyHandler<byte[]> atMost(int max) {
        return info -> new HttpResponse.BodySubscriber<>() {
            private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
            private Flow.Subscription subscription;
            private long seen;
            private boolean over;

            @Override
            public CompletionStage<byte[]> getBody() {
                return bytes.getBody();
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                bytes.onSubscribe(s);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                if (over) {
                    return; // what was on its way when the subscription was cancelled
                }
                for (ByteBuffer b : item) {
                    seen += b.remaining();
                }
                if (seen > max) {
                    over = true;
                    subscription.cancel();
                    bytes.onError(new BadAnswer("too-large", "an answer of more than " + max + " bytes; a counter's totals take a few hundred"));
                    return;
                }
                bytes.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
                if (!over) {
                    bytes.onError(t);
                }
            }

            @Override
            public void onComplete() {
                if (!over) {
                    bytes.onComplete();
                }
            }
        };
    }

    private void remember(String id, Totals totals) {
        last.put(id, totals);
        try {
            save();
        } catch (IOException e) {
            problem = "cannot keep counter totals in " + settings.stateFile() + ": " + Errors.describe(e);
        }
    }

    private void save() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        last.forEach((id, t) -> root.putObject(id).put("serial", t.serial()).put("in", t.in()).put("out", t.out()));
        Path file = settings.stateFile();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(JSON.writeValueAsBytes(root)));
            ch.force(true); // on disk before it replaces the old totals: a power cut leaves one or the other
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Map<String, Totals> load(Path file) throws IOException {
        Map<String, Totals> totals = new HashMap<>();
        if (!Files.exists(file)) {
            return totals;
        }
        JsonNode root = JSON.readTree(file.toFile());
        root.fields().forEachRemaining(e -> totals.put(e.getKey(),
                new Totals(e.getValue().path("serial").asText(""), e.getValue().path("in").asLong(), e.getValue().path("out").asLong())));
        return totals;
    }

    @Override
    public void close() {
        SourceThread t = thread;
        if (t != null) {
            t.stop();
        }
    }
}
