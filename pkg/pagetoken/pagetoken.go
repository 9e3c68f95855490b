// Package pagetoken issues and reads opaque page tokens (AIP-158). A token
// holds the sort keys of the last item of a page, so the next page starts
// right after it even when items are added meanwhile, and it is bound to the
// arguments of the request that issued it: reusing it with another filter,
// order or query is refused.
package pagetoken

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// Page sizes (AIP-158): a request without one gets DefaultSize; larger
// requests are cut to MaxSize.
const (
	DefaultSize = 50
	MaxSize     = 500
)

// Size returns the page size to serve for a requested one.
func Size(requested int32) (int, error) {
	switch {
	case requested < 0:
		return 0, apierr.Invalid("page_size", "must not be negative")
	case requested == 0:
		return DefaultSize, nil
	case requested > MaxSize:
		return MaxSize, nil
	}
	return int(requested), nil
}

// Binding identifies the arguments of a listing other than the page size
// and token, such as its parent, filter and order.
type Binding string

// Bind builds the Binding of a request from its arguments, in a fixed
// order.
func Bind(args ...string) Binding {
	h := sha256.New()
	for _, a := range args {
		h.Write([]byte(a))
		h.Write([]byte{0})
	}
	return Binding(hex.EncodeToString(h.Sum(nil)[:12]))
}

type token struct {
	Version int      `json:"v"`
	Binding Binding  `json:"b"`
	After   []string `json:"a"`
}

// Encode returns the token of the page after the item whose sort keys are
// after.
func Encode(b Binding, after []string) string {
	raw, _ := json.Marshal(token{Version: 1, Binding: b, After: after})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Cut ends a page read with LIMIT size+1: when the extra row came, it drops
// it and returns the token of the page after the page's last item, whose
// sort keys keys gives; otherwise this is the last page and the token is "".
func Cut[T any](list []T, size int, b Binding, keys func(last T) []string) ([]T, string) {
	if len(list) <= size {
		return list, ""
	}
	list = list[:size]
	return list, Encode(b, keys(list[size-1]))
}

// Decode returns the sort keys in tok, which must have been issued for a
// request with binding b and keys of the given count. An empty tok means
// the first page and returns nil.
func Decode(tok string, b Binding, keys int) ([]string, error) {
	if tok == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(tok))
	var t token
	if err != nil || json.Unmarshal(raw, &t) != nil || t.Version != 1 || len(t.After) != keys {
		return nil, apierr.Invalid("page_token", "is not a page token this listing issued")
	}
	if t.Binding != b {
		return nil, apierr.Invalid("page_token", "was issued for a listing with other arguments (parent, filter, order_by or query); keep them as they were, or start again without a token")
	}
	return t.After, nil
}
