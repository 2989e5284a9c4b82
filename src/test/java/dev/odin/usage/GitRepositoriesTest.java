package dev.odin.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The repository of a transcript's cwd: git config read directly, remotes in one form, no credentials. */
class GitRepositoriesTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ' ', value = {
        "git@github.com:org/repo.git github.com/org/repo",
        "git@github.com:org/repo github.com/org/repo",
        "https://github.com/org/repo github.com/org/repo",
        "https://github.com/org/repo.git github.com/org/repo",
        "https://github.com/org/repo.git/ github.com/org/repo",
        "HTTPS://GitHub.com/org/repo github.com/org/repo",
        "git@GitHub.com:Org/Repo.git github.com/Org/Repo",
        "https://x-access-token:ghp_SECRET123@github.com/org/repo.git github.com/org/repo",
        "https://alice:p%40ss@github.com:443/org/repo github.com/org/repo",
        "https://oauth2:glpat-SECRET@gitlab.example.com/group/sub/repo.git gitlab.example.com/group/sub/repo",
        "https://gitlab.example.com/group/repo.git?private_token=SECRET#frag gitlab.example.com/group/repo",
        "ssh://git@github.com/org/repo.git github.com/org/repo",
        "ssh://git@github.com:22/org/repo github.com/org/repo",
        "ssh://user@host.example/~user/repo.git host.example/user/repo",
        "git://git.kernel.org/pub/scm/git/git.git git.kernel.org/pub/scm/git/git",
        "user@bitbucket.org:team/repo.git bitbucket.org/team/repo",
        "/srv/git/repo.git /srv/git/repo",
        "file:///srv/git/repo.git /srv/git/repo",
        "../sibling.git ../sibling",
    })
    void remotesAreNormalisedToOneFormWithoutCredentials(String url, String expected) {
        String n = GitRepositories.normalise(url);
        assertThat(n).isEqualTo(expected);
        assertThat(n).doesNotContain("SECRET").doesNotContain("p%40ss").doesNotContain("@");
    }

    @Test
    void userAndPasswordBeforeAnScpLikeHostAreNotKeptEither() {
        assertThat(GitRepositories.normalise("alice:hunter2@example.com:org/repo.git")).isEqualTo("example.com/org/repo");
    }

    @Test
    void originWinsElseTheFirstRemote() {
        assertThat(GitRepositories.remoteUrlOf("[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = git@github.com:up/r.git\n"
                + "[remote \"origin\"]\n\turl = https://github.com/me/r.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"))
                .isEqualTo("https://github.com/me/r.git");
        assertThat(GitRepositories.remoteUrlOf("[remote \"fork\"] ; a comment\n  URL = \"git@github.com:me/r.git\"\n"
                + "[remote \"other\"]\n url = git@github.com:o/r.git\n")).isEqualTo("git@github.com:me/r.git");
        assertThat(GitRepositories.remoteUrlOf("[branch \"main\"]\n\tremote = origin\n\turl = nope\n")).isNull();
        assertThat(GitRepositories.remoteUrlOf("# url = commented\n[remote \"origin\"]\n# url = x\n")).isNull();
    }

    private Path checkout(String name, String config) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name).resolve(".git"));
        Files.writeString(dir.resolve("config"), config);
        return dir.getParent();
    }

    @Test
    void aCheckoutIsItsRemoteFromAnySubdirectory() throws Exception {
        Path repo = checkout("work", "[remote \"origin\"]\n\turl = https://bot:SECRET@github.com/org/app.git\n");
        Path sub = Files.createDirectories(repo.resolve("src/main"));
        GitRepositories g = new GitRepositories(10);
        assertThat(g.repository(repo.toString())).isEqualTo("github.com/org/app");
        assertThat(g.repository(sub.toString())).isEqualTo("github.com/org/app");
        assertThat(g.repository(sub.resolve("not/created/yet").toString())).isEqualTo("github.com/org/app");
    }

    @Test
    void aCheckoutWithoutRemoteIsItsTopDirectoryAndOtherDirectoriesThemselves() throws Exception {
        Path repo = checkout("local", "[core]\n\tbare = false\n");
        Path plain = Files.createDirectories(tmp.resolve("plain/dir"));
        GitRepositories g = new GitRepositories(10);
        assertThat(g.repository(repo.resolve("x").toString())).isEqualTo(repo.toString());
        assertThat(g.repository(plain.toString())).isEqualTo(plain.toString());
        assertThat(g.repository(null)).isNull();
        assertThat(g.repository("")).isNull();
        assertThat(g.repository("relative/dir")).isEqualTo("relative/dir");
        assertThat(g.repository("/bad\u0000path")).isEqualTo("/badpath");
    }

    @Test
    void aWorktreeFollowsItsGitFileToTheRepositorysConfig() throws Exception {
        Path main = checkout("main", "[remote \"origin\"]\n\turl = git@github.com:org/app.git\n");
        Path wtGitDir = Files.createDirectories(main.resolve(".git/worktrees/feature"));
        Files.writeString(wtGitDir.resolve("commondir"), "../..\n");
        Path wt = Files.createDirectories(tmp.resolve("feature"));
        Files.writeString(wt.resolve(".git"), "gitdir: " + wtGitDir + "\n");
        assertThat(new GitRepositories(10).repository(wt.toString())).isEqualTo("github.com/org/app");
    }

    @Test
    void answersAreCachedBoundedAndLookedAtAgainAfterAMinute() throws Exception {
        AtomicLong now = new AtomicLong();
        GitRepositories g = new GitRepositories(2, now::get);
        Path repo = checkout("later", "[core]\n");
        assertThat(g.repository(repo.toString())).isEqualTo(repo.toString());
        Files.writeString(repo.resolve(".git/config"), "[remote \"origin\"]\n\turl = git@github.com:org/later.git\n");
        assertThat(g.repository(repo.toString())).isEqualTo(repo.toString()); // cached
        now.addAndGet(GitRepositories.REFRESH_NANOS);
        assertThat(g.repository(repo.toString())).isEqualTo("github.com/org/later");
        g.repository("/a");
        g.repository("/b");
        g.repository("/c");
        assertThat(g.cached()).isEqualTo(2);
    }

    @Test
    void anOversizedConfigIsNotRead() throws Exception {
        Path repo = checkout("huge", "[remote \"origin\"]\n\turl = git@github.com:org/huge.git\n"
                + "#".repeat(GitRepositories.MAX_CONFIG_BYTES));
        assertThat(new GitRepositories(10).repository(repo.toString())).isEqualTo(repo.toString());
    }
}
