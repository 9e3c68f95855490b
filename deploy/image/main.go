// Command image builds the suite's container images without a container
// engine: it compiles each binary static (CGO_ENABLED=0), as
// deploy/Dockerfile does, and writes one OCI image layout per binary,
// each holding an image for linux/amd64 and linux/arm64 on an empty base.
// `make images` runs it (deploy is a module of its own, outside go.work,
// since BuildKit's parser asks for a newer Go than the workspace names):
//
//	cd deploy && GOWORK=off go run ./image --root .. --out ../.artifacts/images
//
// An image is one layer: the binary at /usr/local/bin/<name> (and
// /usr/local/bin/app, the entrypoint, pointing to it), the healthcheck
// probe beside it, /data owned by the user 65532 the image runs as, and
// /tmp. Layouts can be pushed with any OCI tool (crane, skopeo, oras).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Binaries are the programs that get an image, and the package each is
// built from, relative to the repository root.
var Binaries = map[string]string{
	"pledge":        "./services/pledge/cmd/pledge",
	"budget":        "./services/budget/cmd/budget",
	"indicator":     "./services/indicator/cmd/indicator",
	"participation": "./services/participation/cmd/participation",
	"events":        "./services/events/cmd/events",
	"gateway":       "./services/gateway/cmd/gateway",
	"gongyak":       "./cmd/gongyak",
}

// probePackage is the healthcheck every image carries: the images hold no
// shell, so a container's healthcheck runs this.
const probePackage = "./cmd/healthcheck"

func main() {
	root := flag.String("root", ".", "the repository's root, where the binaries are built (in its go.work)")
	out := flag.String("out", ".artifacts/images", "folder the layouts are written to, one `DIR/<binary>` each")
	only := flag.String("binaries", "", "comma-separated binaries to build (default: all)")
	arches := flag.String("arch", "amd64,arm64", "comma-separated architectures, all linux")
	flag.Parse()
	names, err := chosen(*only)
	if err != nil {
		fail(err)
	}
	meta, err := describe(*root)
	if err != nil {
		fail(err)
	}
	start := time.Now()
	work, err := os.MkdirTemp("", "gongyak-images-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(work)
	for _, name := range names {
		var platforms []platformImage
		for _, arch := range strings.Split(*arches, ",") {
			bin, probe, err := compile(*root, work, name, arch)
			if err != nil {
				fail(err)
			}
			img, err := buildImage(name, arch, bin, probe, meta)
			if err != nil {
				fail(fmt.Errorf("%s for %s: %w", name, arch, err))
			}
			platforms = append(platforms, platformImage{arch: arch, image: img})
		}
		dir := filepath.Join(*out, name)
		if err := writeLayout(dir, platforms, meta); err != nil {
			fail(fmt.Errorf("%s: %w", name, err))
		}
		fmt.Printf("%-14s %s (%s)\n", name, dir, *arches)
	}
	fmt.Printf("%d images, version %s, in %s\n", len(names), meta.Version, time.Since(start).Round(time.Second))
}

func chosen(list string) ([]string, error) {
	if list == "" {
		return []string{"pledge", "budget", "indicator", "participation", "events", "gateway", "gongyak"}, nil
	}
	names := strings.Split(list, ",")
	for _, n := range names {
		if _, ok := Binaries[n]; !ok {
			return nil, fmt.Errorf("no binary %q (known: pledge budget indicator participation events gateway gongyak)", n)
		}
	}
	return names, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "image:", err)
	os.Exit(1)
}
