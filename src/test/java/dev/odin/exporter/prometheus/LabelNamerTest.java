package dev.odin.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelNamerTest {

    private final LabelNamer collapsing = new LabelNamer(false, false);
    private final LabelNamer keeping = new LabelNamer(false, true);

    @ParameterizedTest(name = "{0} -> {1} (collapse) / {2} (keep runs)")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "session.id                | session_id                | session_id",
        "user.account_uuid         | user_account_uuid         | user_account_uuid",
        "123label                  | key_123label              | key_123label",
        "label!with&special$chars) | label_with_special_chars_ | label_with_special_chars_",
        "a..b                      | a_b                       | a__b",
        "foo__bar                  | foo_bar                   | foo__bar",
        "_private                  | _private                  | _private",
        "trailing.                 | trailing_                 | trailing_",
        "__name__                  | __name__                  | __name__",
        "__a..b__                  | __a_b__                   | __a__b__",
        "___x                      | _x                        | ___x",
        "caf\u00e9                 | caf_                      | caf_",
        "k\u00f8b.\u00e9tat        | k_b_tat                   | k_b__tat",
        "9                         | key_9                     | key_9",
        "1.2                       | key_1_2                   | key_1_2",
        "___                       | NULL                      | NULL",
        "\u65e5\u672c              | NULL                      | NULL",
        "...                       | NULL                      | NULL",
    })
    void translates(String key, String collapsed, String kept) {
        assertThat(collapsing.name(key)).isEqualTo(collapsed);
        assertThat(keeping.name(key)).isEqualTo(kept);
    }

    @ParameterizedTest
    @CsvSource({"session.id", "caf\u00e9 name", "__x__"})
    void utf8PassesThrough(String key) {
        assertThat(new LabelNamer(true, false).name(key)).isEqualTo(key);
    }
}
