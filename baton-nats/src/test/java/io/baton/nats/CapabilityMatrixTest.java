package io.baton.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.baton.Baton;
import io.baton.server.BatonServer;
import io.baton.server.ServerOptions;
import io.baton.spi.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The capability matrix in docs/backends.md says what each backend declares: this reads the
 * Markdown table and compares every column with the backend's {@code capabilities()}, so the docs
 * cannot drift from the code. A cell starts with "yes" or "no" (bold allowed); what follows is
 * explanation.
 */
class CapabilityMatrixTest {
    private static Map<String, Set<Capability>> documented;

    @BeforeAll
    static void readTheMatrix() throws IOException {
        Path docs = Path.of(System.getProperty("baton.docs", "../docs"), "backends.md");
        documented = parse(Files.readAllLines(docs));
    }

    /** Column name (as in the header, e.g. {@code `nats:`}) to the capabilities marked yes. */
    static Map<String, Set<Capability>> parse(List<String> lines) {
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("| capability |")) {
                header = i;
                break;
            }
        }
        if (header < 0) fail("docs/backends.md has no table starting '| capability |'");
        List<String> columns = cells(lines.get(header));
        Map<String, Set<Capability>> byColumn = new LinkedHashMap<>();
        for (String column : columns.subList(2, columns.size())) byColumn.put(column, EnumSet.noneOf(Capability.class));
        Set<Capability> rows = EnumSet.noneOf(Capability.class);
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> cells = cells(lines.get(i));
            Capability capability = Capability.valueOf(cells.get(0).replace("`", ""));
            assertThat(rows.add(capability)).as("one row for " + capability).isTrue();
            assertThat(cells).as("cells of the row of " + capability).hasSameSizeAs(columns);
            for (int c = 2; c < cells.size(); c++) {
                String cell = cells.get(c).replace("*", "").trim().toLowerCase(java.util.Locale.ROOT);
                if (cell.startsWith("yes")) byColumn.get(columns.get(c)).add(capability);
                else if (!cell.startsWith("no")) fail("cell of " + capability + " for " + columns.get(c) + " must start with yes or no: " + cell);
            }
        }
        assertThat(rows).as("a row for every capability").isEqualTo(EnumSet.allOf(Capability.class));
        return byColumn;
    }

    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>(Arrays.asList(row.trim().split("\\|")));
        cells.remove(0); // before the first '|'
        return cells.stream().map(String::trim).toList();
    }

    @Test
    void theMatrixHasAColumnForEveryBackend() {
        assertThat(documented.keySet()).containsExactly("`mem:`", "`file:`", "`baton:`", "`nats:`");
    }

    @Test
    void mem_declaresWhatTheMatrixSays() {
        try (Baton mem = Baton.connect("mem:")) {
            assertThat(mem.capabilities()).isEqualTo(documented.get("`mem:`"));
        }
    }

    @Test
    void file_declaresWhatTheMatrixSays() throws IOException {
        Path dir = Files.createTempDirectory("baton-matrix-file-");
        try (Baton file = Baton.connect("file:" + dir)) {
            assertThat(file.capabilities()).isEqualTo(documented.get("`file:`"));
        } finally {
            delete(dir);
        }
    }

    /** The column is a server on file: storage ({@code baton serve --data DIR}). */
    @Test
    void baton_withAServerOnFileStorage_declaresWhatTheMatrixSays() throws IOException {
        Path dir = Files.createTempDirectory("baton-matrix-server-");
        BatonServer server = BatonServer.start(ServerOptions.builder().port(0).storage("file:" + dir).build());
        try (Baton client = Baton.connect("baton://127.0.0.1:" + server.port())) {
            assertThat(client.capabilities()).isEqualTo(documented.get("`baton:`"));
        } finally {
            server.close();
            delete(dir);
        }
    }

    /** What a live nats: backend returns is checked against the same set by NatsBackendIT. */
    @Test
    void nats_declaresWhatTheMatrixSays() {
        assertThat(NatsBackend.CAPABILITIES).isEqualTo(documented.get("`nats:`"));
    }

    @Test
    void aCellThatIsNeitherYesNorNo_isRefused() {
        List<String> table = List.of("| capability | what | `x:` |", "|---|---|---|", "| `QUEUES` | q | maybe |");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(table)).hasMessageContaining("must start with yes or no");
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
