package server_test

import (
	"strings"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func stringOf(d any) string {
	if m, ok := d.(proto.Message); ok {
		return prototext.Format(m)
	}
	return ""
}
