package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// parseDockerfile reads the Dockerfile as `docker build` would, through
// BuildKit's parser, into its stages and the arguments before the first.
func parseDockerfile(t *testing.T) []instructions.Stage {
	t.Helper()
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("BuildKit's parser refuses the Dockerfile: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("BuildKit warns: %s", w.Short)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatalf("the Dockerfile's instructions: %v", err)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a build stage and a final one", len(stages))
	}
	return stages
}

// TestFinalStage checks what a running container gets: an empty base, a
// numeric user that is not root, and nothing that needs or brings a shell.
func TestFinalStage(t *testing.T) {
	stages := parseDockerfile(t)
	final := stages[len(stages)-1]
	if final.BaseName != "scratch" && !strings.HasPrefix(final.BaseName, "gcr.io/distroless/static") {
		t.Errorf("the final stage is FROM %s; want scratch or distroless static, which hold no shell", final.BaseName)
	}
	var user string
	var labels = map[string]string{}
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.RunCommand:
			t.Errorf("the final stage runs %q: a RUN needs a shell, which the final stage must not have", c.CmdLine)
		case *instructions.ShellCommand:
			t.Errorf("the final stage sets SHELL %q", c.Shell)
		case *instructions.EntrypointCommand:
			if c.PrependShell {
				t.Errorf("ENTRYPOINT %q is in shell form: it needs /bin/sh; use the JSON (exec) form", c.CmdLine)
			}
		case *instructions.CmdCommand:
			if c.PrependShell {
				t.Errorf("CMD %q is in shell form: it needs /bin/sh", c.CmdLine)
			}
		case *instructions.LabelCommand:
			for _, kv := range c.Labels {
				labels[kv.Key] = kv.Value
			}
		case *instructions.CopyCommand:
			if c.From == "" {
				t.Errorf("the final stage copies %q from the build context; it should take only what the build stage made", c.SourcePaths)
			}
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("the final stage's USER is %q; want a numeric user other than 0 (Kubernetes' runAsNonRoot can check only a number)", user)
	}
	for _, key := range []string{"org.opencontainers.image.source", "org.opencontainers.image.title",
		"org.opencontainers.image.version", "org.opencontainers.image.revision"} {
		if labels[key] == "" {
			t.Errorf("the final stage has no label %s", key)
		}
	}
}

// pinnedTag is an image reference with an exact version (1.26.8, not 1.26
// or latest) or a digest.
var pinnedTag = regexp.MustCompile(`^[a-z0-9./-]+(:[0-9]+\.[0-9]+\.[0-9]+[a-z0-9.-]*)?(@sha256:[0-9a-f]{64})?$`)

// TestBaseImagesPinned: a base that moves under a tag changes the image
// with no change here.
func TestBaseImagesPinned(t *testing.T) {
	stages := parseDockerfile(t)
	names := map[string]bool{}
	for _, s := range stages {
		base := s.BaseName
		switch {
		case base == "scratch", names[base]:
		case !pinnedTag.MatchString(base) || !strings.ContainsAny(base, ":@"):
			t.Errorf("FROM %s: pin the base to an exact version (name:1.2.3) or a digest", base)
		}
		names[s.Name] = true
	}
}

// TestBuildStage checks the binary is chosen by BINARY among every binary
// the repository has, and is built static.
func TestBuildStage(t *testing.T) {
	stages := parseDockerfile(t)
	var build *instructions.Stage
	for i := range stages {
		if stages[i].Name == "build" {
			build = &stages[i]
		}
	}
	if build == nil {
		t.Fatal("no stage named build")
	}
	var args, runs []string
	cgoOff, console := false, false
	for _, cmd := range build.Commands {
		switch c := cmd.(type) {
		case *instructions.ArgCommand:
			for _, a := range c.Args {
				args = append(args, a.Key)
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				cgoOff = cgoOff || kv.Key == "CGO_ENABLED" && kv.Value == "0"
			}
		case *instructions.RunCommand:
			runs = append(runs, strings.Join(c.CmdLine, " "))
		case *instructions.CopyCommand:
			console = console || c.From == "console" && strings.HasSuffix(strings.TrimSuffix(c.DestPath, "/"), "services/gateway/internal/console/dist")
		}
	}
	if !slices.Contains(args, "BINARY") {
		t.Errorf("the build stage declares no ARG BINARY (it has %q)", args)
	}
	if !cgoOff {
		t.Error("the build stage does not set ENV CGO_ENABLED=0: the binary would link libc, which scratch has not")
	}
	if !console {
		t.Error("the build stage does not copy the console's build into the gateway's embedded folder")
	}
	build_ := strings.Join(runs, "\n")
	if !strings.Contains(build_, `"$BINARY"`) || !strings.Contains(build_, "go build") {
		t.Errorf("no RUN builds the binary named by $BINARY:\n%s", build_)
	}
	for _, name := range repositoryBinaries(t) {
		if !regexp.MustCompile(`(^|[\s|(])` + name + `[|)]`).MatchString(build_) {
			t.Errorf("BINARY=%s is not among the choices of the build stage", name)
		}
	}
}

// repositoryBinaries are the binaries `make build` builds: every
// services/*/cmd/* and gongyak.
func repositoryBinaries(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("../services/*/cmd/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no services/*/cmd/* beside deploy/: %v", err)
	}
	names := []string{"gongyak"}
	for _, d := range dirs {
		names = append(names, filepath.Base(d))
	}
	return names
}
