package dev.odin.signal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Renders OTLP attribute values as label values, the way the OpenTelemetry data model prints
 * them: strings as they are, booleans, decimal integers, shortest round-trip doubles, and arrays
 * and maps as JSON with sorted keys.
 */
public final class AttributeValues {

    private AttributeValues() {
    }

    public static String format(AnyValue value) {
        switch (value.getValueCase()) {
            case STRING_VALUE:
                return value.getStringValue();
            case BOOL_VALUE:
                return value.getBoolValue() ? "true" : "false";
            case INT_VALUE:
                return Long.toString(value.getIntValue());
            case DOUBLE_VALUE:
                return formatDouble(value.getDoubleValue());
            case BYTES_VALUE:
                return Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
            case ARRAY_VALUE:
            case KVLIST_VALUE: {
                StringBuilder sb = new StringBuilder();
                appendJson(sb, value);
                return sb.toString();
            }
            default:
                return "";
        }
    }

    private static void appendJson(StringBuilder sb, AnyValue value) {
        switch (value.getValueCase()) {
            case STRING_VALUE:
                appendJsonString(sb, value.getStringValue());
                break;
            case BOOL_VALUE:
                sb.append(value.getBoolValue());
                break;
            case INT_VALUE:
                sb.append(value.getIntValue());
                break;
            case DOUBLE_VALUE: {
                double d = value.getDoubleValue();
                // JSON has no NaN or infinities: print them as strings, as pdata does.
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    appendJsonString(sb, formatDouble(d));
                } else {
                    sb.append(formatDouble(d));
                }
                break;
            }
            case BYTES_VALUE:
                appendJsonString(sb, Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
                break;
            case ARRAY_VALUE: {
                sb.append('[');
                List<AnyValue> values = value.getArrayValue().getValuesList();
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    appendJson(sb, values.get(i));
                }
                sb.append(']');
                break;
            }
            case KVLIST_VALUE: {
                List<KeyValue> entries = new ArrayList<>(value.getKvlistValue().getValuesList());
                entries.sort((a, b) -> a.getKey().compareTo(b.getKey()));
                sb.append('{');
                for (int i = 0; i < entries.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    appendJsonString(sb, entries.get(i).getKey());
                    sb.append(':');
                    appendJson(sb, entries.get(i).getValue());
                }
                sb.append('}');
                break;
            }
            default:
                sb.append("null");
        }
    }

    static void appendJsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /**
     * Shortest digits that read back as the same double, laid out as ECMAScript's
     * Number.prototype.toString does: {@code 0.1}, {@code 1e-7}, {@code 1e+21}, {@code 42}.
     */
    public static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return "0";
        }
        BigDecimal exact = shortest(Math.abs(d));
        String digits = exact.unscaledValue().toString();
        // strip trailing zeros of the digit string; the exponent absorbs them
        int k = digits.length();
        while (k > 1 && digits.charAt(k - 1) == '0') {
            k--;
        }
        int n = digits.length() - exact.scale(); // value = 0.digits * 10^n
        digits = digits.substring(0, k);
        StringBuilder sb = new StringBuilder(24);
        if (d < 0) {
            sb.append('-');
        }
        if (k <= n && n <= 21) {
            sb.append(digits);
            for (int i = k; i < n; i++) {
                sb.append('0');
            }
        } else if (0 < n && n <= 21) {
            sb.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            sb.append("0.");
            for (int i = 0; i < -n; i++) {
                sb.append('0');
            }
            sb.append(digits);
        } else {
            sb.append(digits.charAt(0));
            if (k > 1) {
                sb.append('.').append(digits, 1, k);
            }
            int e = n - 1;
            sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return sb.toString();
    }

    /** JDK 17's Double.toString is not always the shortest form: find the fewest digits that round-trip. */
    private static BigDecimal shortest(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int precision = 1; precision < 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision));
            if (candidate.doubleValue() == d) {
                return candidate;
            }
        }
        return exact.round(new MathContext(17));
    }
}
