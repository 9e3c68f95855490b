package main

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"time"
)

// User is the numeric user and group the images run as: no name, since the
// image has no /etc/passwd; 65532 is the "nonroot" of distroless images,
// which Kubernetes security contexts commonly name.
const User = 65532

// layerTar is the image's one layer as an uncompressed tar: the folders,
// the binary and the probe, /usr/local/bin/app pointing to the binary,
// /data for the user and /tmp for everyone. Every entry has the time
// modTime, so that the same binaries give the same layer.
func layerTar(name, bin, probe string, modTime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(path string, mode int64, uid int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: path + "/", Mode: mode,
			Uid: uid, Gid: uid, ModTime: modTime, Format: tar.FormatPAX})
	}
	for _, d := range []string{"usr", "usr/local", "usr/local/bin"} {
		if err := dir(d, 0o755, 0); err != nil {
			return nil, err
		}
	}
	for _, f := range [][2]string{{"usr/local/bin/" + name, bin}, {"usr/local/bin/healthcheck", probe}} {
		if err := addFile(tw, f[0], f[1], modTime); err != nil {
			return nil, err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "usr/local/bin/app", Linkname: name,
		Mode: 0o777, ModTime: modTime, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if err := dir("data", 0o755, User); err != nil {
		return nil, err
	}
	if err := dir("tmp", 0o1777, 0); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// addFile writes the executable src as path, owned by root and not
// writable by the user the image runs as.
func addFile(tw *tar.Writer, path, src string, modTime time.Time) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path, Mode: 0o755, Size: fi.Size(),
		ModTime: modTime, Format: tar.FormatPAX}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}
