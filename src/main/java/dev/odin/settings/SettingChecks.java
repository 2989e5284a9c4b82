package dev.odin.settings;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.springframework.validation.Errors;

/**
 * The rules of ODIN's settings, checked when Spring binds them: a top-level
 * {@code @ConfigurationProperties} class implements {@link org.springframework.validation.Validator},
 * which ConfigurationPropertiesBinder runs itself, and hands each nested group a checker for its
 * path. A broken rule fails the start with Spring's BindValidationException naming the property
 * path and the rejected value, without a Bean Validation provider on the class path (issue 16).
 */
public final class SettingChecks {

    private final Errors errors;
    private final String path;

    public SettingChecks(Errors errors) {
        this(errors, "");
    }

    private SettingChecks(Errors errors, String path) {
        this.errors = errors;
        this.path = path;
    }

    /** The checker of a nested group, its fields named under {@code field}. */
    public SettingChecks in(String field) {
        return new SettingChecks(errors, path + field + ".");
    }

    /** Checks each element of a list group, named {@code field[i]}; a null list has none. */
    public <T> SettingChecks each(String field, List<T> items, BiConsumer<T, SettingChecks> check) {
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) != null) {
                    check.accept(items.get(i), new SettingChecks(errors, path + field + "[" + i + "]."));
                }
            }
        }
        return this;
    }

    public SettingChecks notNull(String field, Object value) {
        if (value == null) {
            reject(field, "NotNull", "must not be null");
        }
        return this;
    }

    public SettingChecks notBlank(String field, String value) {
        if (value == null || value.isBlank()) {
            reject(field, "NotBlank", "must not be blank");
        }
        return this;
    }

    public SettingChecks min(String field, long value, long min) {
        if (value < min) {
            reject(field, "Min", "must be greater than or equal to " + min);
        }
        return this;
    }

    public SettingChecks max(String field, long value, long max) {
        if (value > max) {
            reject(field, "Max", "must be less than or equal to " + max);
        }
        return this;
    }

    /** Null is left to {@link #notNull}, as a pattern says nothing of a missing value. */
    public SettingChecks matches(String field, String value, Pattern pattern, String message) {
        if (value != null && !pattern.matcher(value).matches()) {
            reject(field, "Pattern", message);
        }
        return this;
    }

    /** A duration of at least {@code min}; null is left to {@link #notNull}. */
    public SettingChecks atLeast(String field, Duration value, Duration min) {
        if (value != null && value.compareTo(min) < 0) {
            reject(field, "DurationMin", "must be at least " + min.toString().substring(2).toLowerCase());
        }
        return this;
    }

    private void reject(String field, String code, String message) {
        errors.rejectValue(path + field, code, message);
    }
}
