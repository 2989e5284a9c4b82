package dev.odin.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odin.signal.RefusedStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.impl.NoOpLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The default data directory per platform, with a fake os.name, environment and home. */
class PlatformDataDirTest {

    @Test
    void linuxUsesXdgDataHomeWhenAbsoluteElseLocalShare() {
        assertThat(PlatformDataDir.resolve("Linux", Map.of(), "/home/ada")).isEqualTo("/home/ada/.local/share/odin");
        assertThat(PlatformDataDir.resolve("Linux", Map.of("XDG_DATA_HOME", "/srv/xdg"), "/home/ada"))
                .isEqualTo("/srv/xdg/odin");
        assertThat(PlatformDataDir.resolve("Linux", Map.of("XDG_DATA_HOME", "/srv/xdg/"), "/home/ada/"))
                .isEqualTo("/srv/xdg/odin");
        // the XDG spec: a relative or empty XDG_DATA_HOME is ignored
        assertThat(PlatformDataDir.resolve("Linux", Map.of("XDG_DATA_HOME", "xdg"), "/home/ada"))
                .isEqualTo("/home/ada/.local/share/odin");
        assertThat(PlatformDataDir.resolve("Linux", Map.of("XDG_DATA_HOME", ""), "/home/ada/"))
                .isEqualTo("/home/ada/.local/share/odin");
        assertThat(PlatformDataDir.resolve("FreeBSD", Map.of(), "/usr/home/ada")).isEqualTo(
                "/usr/home/ada/.local/share/odin");
        assertThat(PlatformDataDir.resolve("Linux", Map.of(), "/")).isEqualTo("/.local/share/odin");
    }

    @Test
    void macOsUsesApplicationSupportAndIgnoresXdg() {
        assertThat(PlatformDataDir.resolve("Mac OS X", Map.of("XDG_DATA_HOME", "/Users/ada/.xdg"), "/Users/ada"))
                .isEqualTo("/Users/ada/Library/Application Support/odin");
    }

    @Test
    void windowsUsesLocalAppData() {
        assertThat(PlatformDataDir.resolve("Windows 11", Map.of("LOCALAPPDATA", "C:\\Users\\ada\\AppData\\Local"),
                "C:\\Users\\ada")).isEqualTo("C:\\Users\\ada\\AppData\\Local\\odin");
        assertThat(PlatformDataDir.resolve("Windows 10", Map.of(), "C:\\Users\\ada"))
                .isEqualTo("C:\\Users\\ada\\AppData\\Local\\odin");
        assertThat(PlatformDataDir.resolve("Windows 10", Map.of("LOCALAPPDATA", "relative"), "D:\\home\\"))
                .isEqualTo("D:\\home\\AppData\\Local\\odin");
        assertThat(PlatformDataDir.resolve("Windows Server 2022", Map.of(), "C:\\"))
                .isEqualTo("C:\\AppData\\Local\\odin");
    }

    @Test
    void noHomeDirectoryRefusesTheStartNamingTheSetting() {
        for (String home : new String[] {"?", "", "relative/home"}) {
            assertThatThrownBy(() -> PlatformDataDir.resolve("Linux", Map.of(), home))
                    .isInstanceOf(RefusedStartException.class)
                    .hasMessage("odin.data-dir (ODIN_DATADIR) is not set and there is no home directory to put the"
                            + " default data directory under (user.home is \"" + home + "\"): set odin.data-dir"
                            + " (ODIN_DATADIR) to a directory ODIN may create and write to");
        }
        // XDG_DATA_HOME alone is enough on Linux
        assertThat(PlatformDataDir.resolve("Linux", Map.of("XDG_DATA_HOME", "/x"), "?")).isEqualTo("/x/odin");
        assertThatThrownBy(() -> PlatformDataDir.resolve("Windows 10", Map.of(), "?"))
                .isInstanceOf(RefusedStartException.class);
    }

    @Test
    void anEarlierDotDataWithOdinsDataAndAnEmptyNewDefaultIsWarnedAbout(@TempDir Path tmp) throws Exception {
        Path legacy = Files.createDirectories(tmp.resolve("work/data/privacy"));
        Files.writeString(legacy.resolve("hash.key"), "k");
        Path platform = tmp.resolve("share/odin");
        String expected = "odin.data-dir (ODIN_DATADIR) is not set, so ODIN keeps its data in " + platform
                + " (empty so far), no longer in ./data of the working directory; " + legacy.getParent()
                + " holds the data of an earlier start (usage history, the privacy hash key, queues) that this start"
                + " does not use. To keep using it, start with --odin.data-dir=" + legacy.getParent()
                + " (or ODIN_DATADIR=" + legacy.getParent() + "); or stop ODIN and move its contents to " + platform
                + " (docs/laptop.md, \"Upgrade\")";
        assertThat(PlatformDataDir.legacyWarning(legacy.getParent(), platform)).contains(expected);
        // the new default exists but holds only ODIN's start probe: still empty
        Files.createDirectories(platform);
        Files.writeString(platform.resolve(".odin-start-1.probe"), "");
        assertThat(PlatformDataDir.legacyWarning(legacy.getParent(), platform)).contains(expected);
        // once the new default has data, nothing more to say
        Files.createDirectories(platform.resolve("usage"));
        assertThat(PlatformDataDir.legacyWarning(legacy.getParent(), platform)).isEmpty();
    }

    @Test
    void noWarningForAnUnrelatedOrMissingDotDataOrTheSameDirectory(@TempDir Path tmp) throws Exception {
        Path platform = tmp.resolve("share/odin");
        assertThat(PlatformDataDir.legacyWarning(tmp.resolve("missing"), platform)).isEmpty();
        Path unrelated = Files.createDirectories(tmp.resolve("project/data"));
        Files.writeString(unrelated.resolve("train.csv"), "1,2");
        assertThat(PlatformDataDir.legacyWarning(unrelated, platform)).isEmpty();
        Path file = Files.writeString(tmp.resolve("data"), "a file");
        assertThat(PlatformDataDir.legacyWarning(file, platform)).isEmpty();
        Path same = Files.createDirectories(platform.resolve("events")).getParent();
        assertThat(PlatformDataDir.legacyWarning(same, platform)).isEmpty();
    }

    @Test
    void startupChecksPutsThePlatformDefaultFirstOnlyWhenTheSettingIsBlank() {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addLast(new MapPropertySource("odinDefaults", Map.of("odin.data-dir", "")));
        List<String> warnings = new ArrayList<>();
        Log log = new NoOpLog() {
            @Override
            public void warn(Object message) {
                warnings.add(String.valueOf(message));
            }
        };
        assertThat(StartupChecks.dataDir(env, "/srv/odin", log)).isEqualTo("/srv/odin");
        assertThat(env.getPropertySources().contains(StartupChecks.PLATFORM_DATA_DIR)).isFalse();
        String platform = StartupChecks.dataDir(env, " ", log);
        assertThat(platform).isEqualTo(PlatformDataDir.forThisProcess());
        assertThat(env.getProperty("odin.data-dir")).isEqualTo(platform);
        assertThat(new OdinProperties().getDataDir()).as("the typed default: empty, meaning the platform's").isEmpty();
        // a second pass (a context refresh) replaces rather than stacks
        StartupChecks.dataDir(env, "", log);
        assertThat(env.getPropertySources().stream().filter(s -> s.getName().equals(StartupChecks.PLATFORM_DATA_DIR)))
                .hasSize(1);
    }
}
