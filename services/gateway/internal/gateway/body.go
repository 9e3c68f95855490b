package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// bodyError is a request body the gateway could not read, with the path of
// the offending field (proto names, relative to the body) or "" for the
// body as a whole.
type bodyError struct {
	field string
	desc  string
}

// bodyErrorPrefix marks the message of a bodyError inside the status the
// generated handlers wrap it in, so the error handler can name the field.
const bodyErrorPrefix = "request body: "

func (e bodyError) Error() string {
	return bodyErrorPrefix + e.field + ": " + e.desc
}

// jsonMarshaler is the proto3 JSON mapping (lowerCamelCase names, enums by
// name) with a decoder that names the field a body gets wrong. Unknown
// fields are refused: a misspelt field would otherwise be dropped without
// a word.
type jsonMarshaler struct {
	runtime.JSONPb
}

func newJSONMarshaler() *jsonMarshaler {
	return &jsonMarshaler{runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false, UseProtoNames: false},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}}
}

// Marshal writes compact JSON: protojson varies its spacing on purpose,
// which makes responses harder to read and to compare.
func (m *jsonMarshaler) Marshal(v any) ([]byte, error) {
	raw, err := m.JSONPb.Marshal(v)
	if err != nil {
		return nil, err
	}
	return compact(raw), nil
}

// compact drops the whitespace between the tokens of JSON that protojson
// wrote, in place. It trusts its input to be valid JSON, which protojson's
// output is: json.Compact, which checks every byte again, cost the read
// path a twentieth of the gateway's CPU.
func compact(b []byte) []byte {
	out := b[:0]
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			continue
		}
		out = append(out, c)
	}
	return out
}

// NewDecoder reads the whole body and decodes it, naming what is wrong.
func (m *jsonMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		data, err := io.ReadAll(r)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return bodyError{desc: fmt.Sprintf("is larger than the limit of %d bytes", tooBig.Limit)}
		case err != nil:
			return bodyError{desc: "could not be read"}
		case len(bytes.TrimSpace(data)) == 0:
			return io.EOF
		case !utf8.Valid(data):
			return bodyError{desc: fmt.Sprintf("is not valid UTF-8 (from byte %d)", invalidUTF8At(data))}
		}
		var generic any
		var syntax *json.SyntaxError
		if err := json.Unmarshal(data, &generic); errors.As(err, &syntax) {
			return bodyError{desc: fmt.Sprintf("is not JSON: %s at byte %d", syntax.Error(), syntax.Offset)}
		} else if err != nil {
			return bodyError{desc: "is not JSON"}
		}
		msg, ok := protoTarget(v)
		if !ok {
			return m.JSONPb.Unmarshal(data, v)
		}
		if berr := checkJSON(generic, msg.ProtoReflect().Descriptor(), ""); berr != nil {
			return *berr
		}
		if err := m.UnmarshalOptions.Unmarshal(data, msg); err != nil {
			return bodyError{desc: strings.TrimPrefix(err.Error(), "proto: ")}
		}
		return nil
	})
}

// protoTarget returns the message v decodes into: v itself, or the message
// v points at (the generated handlers pass &req.Pledge), allocated if nil.
func protoTarget(v any) (proto.Message, bool) {
	if msg, ok := v.(proto.Message); ok {
		return msg, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Pointer {
		return nil, false
	}
	if rv.Elem().IsNil() {
		rv.Elem().Set(reflect.New(rv.Elem().Type().Elem()))
	}
	msg, ok := rv.Elem().Interface().(proto.Message)
	return msg, ok
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// checkJSON walks a decoded JSON value against the message it should be
// and returns the first field it gets wrong, by proto field path: an
// unknown field, an enum name that does not exist, a value of the wrong
// type. It leaves well-known types to protojson.
func checkJSON(v any, desc protoreflect.MessageDescriptor, path string) *bodyError {
	if strings.HasPrefix(string(desc.FullName()), "google.protobuf.") {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil
		}
		return &bodyError{field: path, desc: "must be a JSON object"}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fd := desc.Fields().ByJSONName(k)
		if fd == nil {
			fd = desc.Fields().ByName(protoreflect.Name(k))
		}
		if fd == nil {
			return &bodyError{field: join(path, k), desc: "is not a field of " + string(desc.Name())}
		}
		field := join(path, string(fd.Name()))
		val := obj[k]
		switch {
		case val == nil:
		case fd.IsMap():
			if _, ok := val.(map[string]any); !ok {
				return &bodyError{field: field, desc: "must be a JSON object"}
			}
		case fd.IsList():
			list, ok := val.([]any)
			if !ok {
				return &bodyError{field: field, desc: "must be a JSON array"}
			}
			for i, item := range list {
				if err := checkValue(item, fd, fmt.Sprintf("%s[%d]", field, i)); err != nil {
					return err
				}
			}
		default:
			if err := checkValue(val, fd, field); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	}
	return path + "." + name
}

func checkValue(v any, fd protoreflect.FieldDescriptor, field string) *bodyError {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return checkJSON(v, fd.Message(), field)
	case protoreflect.EnumKind:
		switch x := v.(type) {
		case string:
			if fd.Enum().Values().ByName(protoreflect.Name(x)) == nil {
				return &bodyError{field: field, desc: fmt.Sprintf("%q is not a value of %s", x, fd.Enum().Name())}
			}
		case float64:
		default:
			return &bodyError{field: field, desc: "must be the name of a " + string(fd.Enum().Name()) + " value"}
		}
	case protoreflect.StringKind, protoreflect.BytesKind:
		if _, ok := v.(string); !ok {
			return &bodyError{field: field, desc: "must be a string"}
		}
	case protoreflect.BoolKind:
		if _, ok := v.(bool); !ok {
			return &bodyError{field: field, desc: "must be true or false"}
		}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		switch v.(type) {
		case float64, string:
		default:
			return &bodyError{field: field, desc: "must be a number"}
		}
	default: // integers; 64-bit ones are strings in proto3 JSON, numbers are accepted too.
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case string:
			i, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return &bodyError{field: field, desc: fmt.Sprintf("%q is not a whole number that fits in 64 bits", x)}
			}
			n = float64(i)
		default:
			return &bodyError{field: field, desc: "must be a whole number"}
		}
		if n != float64(int64(n)) {
			return &bodyError{field: field, desc: "must be a whole number"}
		}
		switch fd.Kind() {
		case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
			if n < -(1<<31) || n >= 1<<31 {
				return &bodyError{field: field, desc: "is out of range for a 32-bit number"}
			}
		case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
			if n < 0 || n >= 1<<32 {
				return &bodyError{field: field, desc: "is out of range for an unsigned 32-bit number"}
			}
		}
	}
	return nil
}
