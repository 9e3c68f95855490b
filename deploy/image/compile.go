package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// compile builds, in the repository at root, the binary called name and
// the probe for linux/arch into work, static and stripped as
// deploy/Dockerfile builds them.
func compile(root, work, name, arch string) (bin, probe string, err error) {
	dir := filepath.Join(work, arch)
	bin, probe = filepath.Join(dir, name), filepath.Join(dir, "healthcheck")
	for out, pkg := range map[string]string{bin: Binaries[name], probe: probePackage} {
		if _, err := os.Stat(out); err == nil {
			continue // the probe, built for an earlier binary
		}
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
		cmd.Dir = root
		// GOWORK empty: the root's go.work, whatever this program ran with.
		cmd.Env = append(os.Environ(), "GOWORK=", "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "", fmt.Errorf("go build %s for linux/%s: %w", pkg, arch, err)
		}
	}
	return bin, probe, nil
}

// Meta is what the labels say of the build: which commit of which
// repository, and when.
type Meta struct {
	Source, Version, Revision string
	// Created is the commit's time, so that building the same commit twice
	// gives the same images, digests included.
	Created time.Time
}

// describe reads the version and revision from git: the version is the
// nearest tag (or the short commit), with -dirty when the work tree has
// changes.
func describe(root string) (Meta, error) {
	m := Meta{Source: "https://github.com/gongyak/gongyak"}
	var err error
	if m.Revision, err = git(root, "rev-parse", "HEAD"); err != nil {
		return m, err
	}
	if m.Version, err = git(root, "describe", "--tags", "--always", "--dirty"); err != nil {
		return m, err
	}
	secs, err := git(root, "log", "-1", "--format=%ct")
	if err != nil {
		return m, err
	}
	var unix int64
	if _, err := fmt.Sscan(secs, &unix); err != nil {
		return m, fmt.Errorf("commit time %q: %w", secs, err)
	}
	m.Created = time.Unix(unix, 0).UTC()
	return m, nil
}

func git(root string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}
