package tlsconfig

// Every binary of the suite imports this package, so this import gives each
// of them a copy of Mozilla's trusted roots, used only where the machine
// has none of its own: the images are built on an empty base (no
// /etc/ssl), yet the services fetch OpenID discovery documents and keys
// over HTTPS and the events service delivers webhooks over HTTPS. A host
// or image that has roots keeps using its own.
import _ "golang.org/x/crypto/x509roots/fallback"
