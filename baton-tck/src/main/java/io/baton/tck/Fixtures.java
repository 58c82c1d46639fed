package io.baton.tck;

import java.util.List;
import java.util.Map;

/** Message bodies shared by the suites: records of the kinds applications send. */
public final class Fixtures {
    private Fixtures() {}

    /** A postal address, nested inside {@link Order}. */
    public record Address(String street, String city) {}

    /** A typical JSON body: scalars, a list, a map, a nested record and a nullable field. */
    public record Order(String id, int quantity, double price, boolean rush, List<String> tags,
                        Map<String, Integer> counts, Address shipTo, String note) {}

    /** RPC request of the calculator examples. */
    public record Add(int x, int y) {}

    /** A keyed message: its key and its position within that key. */
    public record Keyed(String key, int seq) {}

    /** A point, for interface RPC. */
    public record Point(int x, int y) {}

    /** The remaining budgets and deadlines a nested RPC saw, in milliseconds. */
    public record Budget(long outerRemainingMs, long innerRemainingMs, long outerDeadlineMs, long innerDeadlineMs) {}

    /** A body no JSON codec can encode: reading its only property throws. */
    public static final class Unencodable {
        public String getValue() {
            throw new IllegalStateException("this property cannot be read");
        }
    }

    /** An order with every field set. */
    public static Order order(String id) {
        return new Order(id, 3, 19.99, true, List.of("fragile", "gift"),
                Map.of("apples", 2, "pears", 1), new Address("1 Main St", "Lyon"), null);
    }
}
