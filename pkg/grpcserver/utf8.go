package grpcserver

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// checkUTF8 refuses a request with a string that is not valid UTF-8,
// naming each such field. Our protos leave UTF-8 unchecked while decoding
// (features.utf8_validation = NONE) so that this can name the field rather
// than fail the whole call as INTERNAL.
func checkUTF8(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if m, ok := req.(proto.Message); ok {
		var v apierr.Violations
		invalidUTF8(m.ProtoReflect(), "", &v)
		if err := v.Err(); err != nil {
			return nil, err
		}
	}
	return handler(ctx, req)
}

func invalidUTF8(m protoreflect.Message, prefix string, v *apierr.Violations) {
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		path := apierr.Path(prefix, string(fd.Name()))
		switch {
		case fd.IsList():
			list := val.List()
			for i := 0; i < list.Len(); i++ {
				check(fd, list.Get(i), fmt.Sprintf("%s[%d]", path, i), v)
			}
		case fd.IsMap():
			val.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				if s, ok := k.Interface().(string); ok && !utf8.ValidString(s) {
					v.Add(path, "has a key that is not valid UTF-8")
				}
				check(fd.MapValue(), mv, fmt.Sprintf("%s[%v]", path, k.Interface()), v)
				return true
			})
		default:
			check(fd, val, path, v)
		}
		return true
	})
}

func check(fd protoreflect.FieldDescriptor, val protoreflect.Value, path string, v *apierr.Violations) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if !utf8.ValidString(val.String()) {
			v.Add(path, "is not valid UTF-8")
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		invalidUTF8(val.Message(), path, v)
	}
}
