package main

import (
	"bytes"
	"io"
	"os"
	"strconv"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Label keys of the OCI image annotations the images carry.
const (
	LabelSource   = "org.opencontainers.image.source"
	LabelVersion  = "org.opencontainers.image.version"
	LabelRevision = "org.opencontainers.image.revision"
	LabelTitle    = "org.opencontainers.image.title"
	LabelCreated  = "org.opencontainers.image.created"
	// The project names no licence yet, so the images claim none
	// (org.opencontainers.image.licenses is left out rather than guessed).
)

// platformImage is one architecture's image of a binary.
type platformImage struct {
	arch  string
	image v1.Image
}

// buildImage makes the image of the binary called name for linux/arch:
// an empty base, one layer, the user 65532, /data as working folder, the
// entrypoint and the labels.
func buildImage(name, arch, bin, probe string, meta Meta) (v1.Image, error) {
	raw, err := layerTar(name, bin, probe, meta.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, layer); err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	cfg.Created = v1.Time{Time: meta.Created}
	cfg.Config = v1.Config{
		User:       strconv.Itoa(User) + ":" + strconv.Itoa(User),
		Entrypoint: []string{"/usr/local/bin/app"},
		WorkingDir: "/data",
		Env:        []string{"PATH=/usr/local/bin"},
		Labels:     labels(name, meta),
	}
	return mutate.ConfigFile(img, cfg)
}

func labels(name string, meta Meta) map[string]string {
	return map[string]string{
		LabelSource:   meta.Source,
		LabelVersion:  meta.Version,
		LabelRevision: meta.Revision,
		LabelTitle:    "gongyak-" + name,
		LabelCreated:  meta.Created.Format("2006-01-02T15:04:05Z"),
	}
}

// writeLayout writes an OCI image layout at dir holding one image index
// (tagged with the version) of the platforms' images. Whatever was at dir
// is replaced.
func writeLayout(dir string, platforms []platformImage, meta Meta) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        p.image,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: p.arch}},
		})
	}
	path, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return path.AppendIndex(idx, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": meta.Version,
	}))
}
