package io.storegw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code storegw tills} tells a technician about the till port, which decides whether an added till can post. */
class TillsCommandTest {

    private static LayoutView at(String tillPort) {
        return new LayoutView(1, new Layout(List.of(), Map.of(), List.of(), Map.of()), List.of(), Map.of(), Map.of(), tillPort, true);
    }

    @Test
    void aTillPortThatIsOffOrOnLoopbackIsSaidToBeOutOfTheTillsReach() {
        assertThat(TillsCommand.tillPort(at(null))).startsWith("till port: off, so no till can post")
                .contains("sources.pos.http.enabled: true");
        assertThat(TillsCommand.tillPort(at("http://127.0.0.1:8780"))).contains("on loopback only", "sources.pos.http.host");
        assertThat(TillsCommand.tillPort(at("https://[::1]:8780"))).contains("on loopback only");
    }

    @Test
    void aTillPortOnTheStoresNetworkIsWhereTheTillsPost() {
        assertThat(TillsCommand.tillPort(at("https://192.168.10.2:8780")))
                .isEqualTo("till port: https://192.168.10.2:8780 (POSLog to /pos/v1/poslog, JSON to /pos/v1/json/square|shopify|lightspeed|generic)");
        assertThat(TillsCommand.tillPort(at("http://0.0.0.0:8780")))
                .startsWith("till port: http://(any of this machine's addresses):8780 (POSLog");
    }
}
