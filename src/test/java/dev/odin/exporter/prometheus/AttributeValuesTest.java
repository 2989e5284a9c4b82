package dev.odin.exporter.prometheus;

import dev.odin.signal.AttributeValues;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttributeValuesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0.1, 0.1", "1e-7, 1e-7", "1.0, 1", "42, 42", "-2.5, -2.5", "100, 100", "1e21, 1e+21",
        "1e20, 100000000000000000000", "123456.789, 123456.789", "0.000001, 0.000001",
        "0.0000001234, 1.234e-7", "2e23, 2e+23", "5e-324, 5e-324", "1.7976931348623157e308, 1.7976931348623157e+308",
        "0.006554999999999999, 0.006554999999999999", "0.30000000000000004, 0.30000000000000004",
        "NaN, NaN", "Infinity, Infinity", "-Infinity, -Infinity", "0, 0", "-0.0, 0"
    })
    void doublesInShortestRoundTripForm(double d, String expected) {
        assertThat(AttributeValues.formatDouble(d)).isEqualTo(expected);
        if (Double.isFinite(d)) {
            assertThat(Double.parseDouble(expected)).isEqualTo(d == 0 ? 0.0 : d);
        }
    }

    @Test
    void scalarsAsTheDataModelPrintsThem() {
        assertThat(AttributeValues.format(AnyValue.newBuilder().setStringValue("a b").build())).isEqualTo("a b");
        assertThat(AttributeValues.format(AnyValue.newBuilder().setBoolValue(true).build())).isEqualTo("true");
        assertThat(AttributeValues.format(AnyValue.newBuilder().setBoolValue(false).build())).isEqualTo("false");
        assertThat(AttributeValues.format(AnyValue.newBuilder().setIntValue(-9007199254740993L).build()))
                .isEqualTo("-9007199254740993");
        assertThat(AttributeValues.format(AnyValue.newBuilder()
                .setBytesValue(ByteString.copyFrom(new byte[] {1, 2, (byte) 0xff})).build())).isEqualTo("AQL/");
        assertThat(AttributeValues.format(AnyValue.getDefaultInstance())).isEmpty();
    }

    @Test
    void arraysAndMapsAsJsonWithSortedKeys() {
        AnyValue array = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                .addValues(AnyValue.newBuilder().setStringValue("policy \"x\""))
                .addValues(AnyValue.newBuilder().setIntValue(3))
                .addValues(AnyValue.newBuilder().setDoubleValue(0.5))
                .addValues(AnyValue.newBuilder().setBoolValue(true))
                .addValues(AnyValue.newBuilder().setDoubleValue(Double.NaN))).build();
        assertThat(AttributeValues.format(array)).isEqualTo("[\"policy \\\"x\\\"\",3,0.5,true,\"NaN\"]");
        AnyValue map = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addValues(KeyValue.newBuilder().setKey("z").setValue(AnyValue.newBuilder().setIntValue(1)))
                .addValues(KeyValue.newBuilder().setKey("a").setValue(array))
                .addValues(KeyValue.newBuilder().setKey("m").setValue(AnyValue.newBuilder()
                        .setKvlistValue(KeyValueList.newBuilder().addValues(KeyValue.newBuilder().setKey("y")
                                .setValue(AnyValue.newBuilder().setStringValue("\n")))))))
                .build();
        assertThat(AttributeValues.format(map))
                .isEqualTo("{\"a\":[\"policy \\\"x\\\"\",3,0.5,true,\"NaN\"],\"m\":{\"y\":\"\\n\"},\"z\":1}");
    }
}
