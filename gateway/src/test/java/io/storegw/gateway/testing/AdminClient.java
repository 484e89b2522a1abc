package io.storegw.gateway.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/** Reads a gateway's /healthz and /metrics over loopback, as an operator's scraper would. */
public final class AdminClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;

    public AdminClient(int port) {
        this.port = port;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One sample's value from /metrics, or empty when the gateway does not answer or has no such series. */
    public OptionalDouble metric(String series) {
        try {
            for (String line : get("/metrics").body().split("\n")) {
                if (line.startsWith(series + " ")) {
                    return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1)));
                }
            }
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OptionalDouble.empty();
    }
}
