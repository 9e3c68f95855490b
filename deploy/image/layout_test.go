//go:build images

package main

import (
	"archive/tar"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// imagesDir is where `make images` wrote the layouts (GONGYAK_IMAGES, or
// .artifacts/images of the repository).
func imagesDir() string {
	if d := os.Getenv("GONGYAK_IMAGES"); d != "" {
		return d
	}
	return filepath.Join("..", "..", ".artifacts", "images")
}

// TestLayouts opens each binary's OCI layout as a registry or runtime
// would and checks the image it holds for every platform: how it runs
// (user, entrypoint, working folder), what it says of itself (labels from
// this commit), and what its one layer holds — the binary and the probe,
// executable, and nothing else: no shell.
func TestLayouts(t *testing.T) {
	revision, err := git(filepath.Join("..", ".."), "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	for name := range Binaries {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(imagesDir(), name)
			p, err := layout.FromPath(dir)
			if err != nil {
				t.Fatalf("no OCI layout for %s at %s (make images writes them): %v", name, dir, err)
			}
			top, err := p.ImageIndex()
			if err != nil {
				t.Fatal(err)
			}
			tm, err := top.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			if len(tm.Manifests) != 1 || tm.Manifests[0].Annotations["org.opencontainers.image.ref.name"] == "" {
				t.Fatalf("index.json lists %d entries (%+v); want one image index tagged with its version", len(tm.Manifests), tm.Manifests)
			}
			idx, err := top.ImageIndex(tm.Manifests[0].Digest)
			if err != nil {
				t.Fatal(err)
			}
			im, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			var arches []string
			for _, desc := range im.Manifests {
				arches = append(arches, desc.Platform.Architecture)
				img, err := idx.Image(desc.Digest)
				if err != nil {
					t.Fatal(err)
				}
				checkImage(t, name, desc.Platform, img, revision)
			}
			if !slices.Contains(arches, "amd64") {
				t.Errorf("platforms %v; want linux/amd64 at least", arches)
			}
		})
	}
}

func checkImage(t *testing.T, name string, platform *v1.Platform, img v1.Image, revision string) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if platform.OS != "linux" || cfg.OS != "linux" || cfg.Architecture != platform.Architecture {
		t.Errorf("%s: the index says %s/%s, the config %s/%s", name, platform.OS, platform.Architecture, cfg.OS, cfg.Architecture)
	}
	c := cfg.Config
	if c.User != "65532:65532" {
		t.Errorf("%s/%s runs as %q; want 65532:65532", name, cfg.Architecture, c.User)
	}
	if !slices.Equal(c.Entrypoint, []string{"/usr/local/bin/app"}) || c.WorkingDir != "/data" {
		t.Errorf("%s/%s: entrypoint %q in %q; want /usr/local/bin/app in /data", name, cfg.Architecture, c.Entrypoint, c.WorkingDir)
	}
	want := map[string]string{
		LabelSource: "https://github.com/gongyak/gongyak", LabelTitle: "gongyak-" + name, LabelRevision: revision,
	}
	for k, v := range want {
		if c.Labels[k] != v {
			t.Errorf("%s/%s: label %s = %q, want %q", name, cfg.Architecture, k, c.Labels[k], v)
		}
	}
	if c.Labels[LabelVersion] == "" || c.Labels[LabelCreated] == "" {
		t.Errorf("%s/%s: labels %v lack the version or the time", name, cfg.Architecture, c.Labels)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%s/%s has %d layers; want one on an empty base", name, cfg.Architecture, len(layers))
	}
	files := readLayer(t, layers[0], name, cfg.Architecture == runtime.GOARCH)
	wantFiles := []string{"data/", "tmp/", "usr/", "usr/local/", "usr/local/bin/", "usr/local/bin/app",
		"usr/local/bin/healthcheck", "usr/local/bin/" + name}
	slices.Sort(files)
	slices.Sort(wantFiles)
	if !slices.Equal(files, wantFiles) {
		t.Errorf("%s/%s holds %q; want exactly %q (no shell, no package manager)", name, cfg.Architecture, files, wantFiles)
	}
}

// readLayer lists the layer's entries and checks each: the binaries
// executable by anyone and owned by root, static ELF files of the image's
// architecture, /data the user's, the entrypoint a link to the binary.
// When the image is of this machine's architecture the binaries are run.
func readLayer(t *testing.T, layer v1.Layer, name string, runnable bool) []string {
	t.Helper()
	rc, err := layer.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var files []string
	tmp := t.TempDir()
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, h.Name)
		switch base := path.Base(h.Name); {
		case slices.Contains([]string{"sh", "bash", "ash", "busybox", "dash"}, base):
			t.Errorf("%s holds a shell: %s", name, h.Name)
		case h.Name == "data/" && (h.Uid != User || h.Gid != User):
			t.Errorf("/data belongs to %d:%d; want %d, the user the image runs as", h.Uid, h.Gid, User)
		case h.Name == "usr/local/bin/app" && (h.Typeflag != tar.TypeSymlink || h.Linkname != name):
			t.Errorf("/usr/local/bin/app is %q → %q; want a link to %s", h.Typeflag, h.Linkname, name)
		case h.Typeflag == tar.TypeReg:
			if h.Mode&0o555 != 0o555 || h.Mode&0o022 != 0 || h.Uid != 0 {
				t.Errorf("%s: mode %o owner %d; want executable by all, writable by root only", h.Name, h.Mode, h.Uid)
			}
			out := filepath.Join(tmp, base)
			f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY, 0o755)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				t.Fatal(err)
			}
			f.Close()
			checkStatic(t, out)
			if runnable {
				runHelp(t, out, base)
			}
		}
	}
	return files
}

// checkStatic wants an ELF with no program interpreter: it needs no libc,
// which the empty base does not have.
func checkStatic(t *testing.T, file string) {
	t.Helper()
	f, err := elf.Open(file)
	if err != nil {
		t.Fatalf("%s is no ELF binary: %v", filepath.Base(file), err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked (it asks for a program interpreter)", filepath.Base(file))
		}
	}
}

// runHelp runs the extracted binary with no environment, asking for its
// usage: the real program, not a placeholder, answers with its flags.
func runHelp(t *testing.T, file, name string) {
	t.Helper()
	args, want := []string{"-h"}, "-log-level"
	switch name {
	case "gongyak":
		args, want = []string{"help"}, "commands:"
	case "gateway":
		want = "-http-addr"
	case "healthcheck":
		want = "grpc://"
	}
	cmd := exec.Command(file, args...)
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	if !strings.Contains(string(out), want) {
		t.Errorf("%s %s printed:\n%s\nwant its usage naming %s", name, strings.Join(args, " "), out, want)
	}
}
