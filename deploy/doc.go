// Package deploy holds the suite's deployment files — the Dockerfile, the
// compose stack and its configuration — and the tests that check them
// without a container engine: the Dockerfile through BuildKit's own
// parser, the compose file through compose-go's loader. The images
// themselves are built by deploy/image.
package deploy
