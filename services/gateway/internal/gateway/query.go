package gateway

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// queryError is a query parameter the gateway could not read, named by its
// proto field path (`page_size`), with what is wrong in plain words.
type queryError struct {
	field string
	desc  string
}

// queryErrorPrefix marks the message of a queryError inside the status the
// generated handlers wrap it in, so the error handler can name the field.
const queryErrorPrefix = "query parameter: "

func (e queryError) Error() string { return queryErrorPrefix + e.field + ": " + e.desc }

// mapKeySyntax is grpc-gateway's form for a map entry: field[key]=value.
var mapKeySyntax = regexp.MustCompile(`^(.*)\[(.*)\]$`)

// queryParser fills a request from its query parameters as grpc-gateway's
// own parser does, after checking every value itself: grpc-gateway's
// errors carry Go's parser text (`strconv.ParseInt: parsing "abc": invalid
// syntax`) and only the last name of a nested field. A parameter that
// names no field is refused, not ignored: a misspelt `filters=` ignored
// would answer a poller with everything, unfiltered. Campaign tags
// (`utm_source=…`, added to shared links) name no field and are let be.
type queryParser struct{}

// Parse checks values against msg's fields, then fills msg.
func (queryParser) Parse(msg proto.Message, values url.Values, filter *utilities.DoubleArray) error {
	desc := msg.ProtoReflect().Descriptor()
	given := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(values)) {
		if err := checkQueryParam(desc, key, values[key], filter, given); err != nil {
			return err
		}
	}
	if err := (&runtime.DefaultQueryParser{}).Parse(msg, values, filter); err != nil {
		// What is left is rare (two fields of one oneof): name what can be
		// named, never pass Go's text on.
		field := "query"
		if m := quotedName.FindStringSubmatch(err.Error()); m != nil {
			field = m[1]
		}
		return queryError{field: field, desc: "could not be read"}
	}
	return nil
}

var quotedName = regexp.MustCompile(`"([A-Za-z0-9_.]+)"`)

// checkQueryParam checks one parameter, recording its field in given so
// that a field given twice (by its proto and its JSON name) is refused.
func checkQueryParam(desc protoreflect.MessageDescriptor, key string, values []string, filter *utilities.DoubleArray, given map[string]bool) error {
	fieldKey, mapKey, hasMapKey := key, "", false
	if m := mapKeySyntax.FindStringSubmatch(key); m != nil {
		fieldKey, mapKey, hasMapKey = m[1], "["+m[2]+"]", true
		values = append([]string{m[2]}, values...)
	}
	var path []string
	var fd protoreflect.FieldDescriptor
	for i, name := range strings.Split(fieldKey, ".") {
		if i > 0 && (fd.Message() == nil || fd.IsList() || fd.IsMap()) {
			return queryError{field: strings.Join(path, "."), desc: "has no fields to set"}
		}
		if i > 0 {
			desc = fd.Message()
		}
		fd = desc.Fields().ByTextName(name)
		if fd == nil {
			fd = desc.Fields().ByJSONName(name)
		}
		if fd == nil {
			if i == 0 && strings.HasPrefix(name, "utm_") {
				return nil // a campaign tag of a shared link
			}
			return queryError{field: key, desc: "is not a parameter of this method" + parametersOf(desc, path, filter)}
		}
		path = append(path, string(fd.Name()))
	}
	if filter != nil && filter.HasCommonPrefix(path) {
		return nil // bound from the path or the body
	}
	field := strings.Join(path, ".")
	if given[field+mapKey] {
		return queryError{field: field, desc: "is given more than once"}
	}
	given[field+mapKey] = true
	switch {
	case hasMapKey && !fd.IsMap():
		return queryError{field: field, desc: "is not a map"}
	case fd.IsMap() && (!hasMapKey || len(values) != 2):
		return queryError{field: field, desc: "takes one value per entry, as " + field + "[key]=value"}
	case fd.IsMap():
		if d := checkQueryValue(fd.MapKey(), values[0]); d != "" {
			return queryError{field: field, desc: "has a key that " + d}
		}
		if d := checkQueryValue(fd.MapValue(), values[1]); d != "" {
			return queryError{field: field, desc: "has a value that " + d}
		}
	case fd.IsList():
		for i, v := range values {
			if d := checkQueryValue(fd, v); d != "" {
				return queryError{field: fmt.Sprintf("%s[%d]", field, i), desc: d}
			}
		}
	case len(values) > 1:
		return queryError{field: field, desc: "is given more than once"}
	case len(values) == 1:
		if d := checkQueryValue(fd, values[0]); d != "" {
			return queryError{field: field, desc: d}
		}
	}
	return nil
}

// parametersOf lists the fields of desc (under path) a query may set, for
// a refusal of a name that is none of them: "; its parameters are page_size,
// page_token, filter".
func parametersOf(desc protoreflect.MessageDescriptor, path []string, filter *utilities.DoubleArray) string {
	var names []string
	fields := desc.Fields()
	for i := range fields.Len() {
		p := append(slices.Clone(path), string(fields.Get(i).Name()))
		if filter == nil || !filter.HasCommonPrefix(p) {
			names = append(names, strings.Join(p, "."))
		}
	}
	if len(names) == 0 {
		return "; it takes none"
	}
	return "; its parameters are " + strings.Join(names, ", ")
}

// checkQueryValue says what is wrong with value for a field like fd, or ""
// when it parses as grpc-gateway parses it. It never repeats the value:
// a query string may hold what should not be echoed.
func checkQueryValue(fd protoreflect.FieldDescriptor, value string) string {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return checkBool(value)
	case protoreflect.EnumKind:
		if fd.Enum().Values().ByName(protoreflect.Name(value)) != nil {
			return ""
		}
		if n, err := strconv.ParseInt(value, 10, 32); err == nil && fd.Enum().Values().ByNumber(protoreflect.EnumNumber(n)) != nil {
			return ""
		}
		return "is not a value of " + string(fd.Enum().Name())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return checkInt(value, 32)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return checkInt(value, 64)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return checkUint(value, 32)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return checkUint(value, 64)
	case protoreflect.FloatKind:
		return checkFloat(value, 32)
	case protoreflect.DoubleKind:
		return checkFloat(value, 64)
	case protoreflect.StringKind:
		return ""
	case protoreflect.BytesKind:
		if _, err := runtime.Bytes(value); err != nil {
			return "is not base64"
		}
		return ""
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return checkQueryMessage(fd.Message(), value)
	}
	return "cannot be given as a query parameter"
}

// checkQueryMessage checks the value of a well-known type, the only
// messages a query parameter can set.
func checkQueryMessage(md protoreflect.MessageDescriptor, value string) string {
	switch md.FullName() {
	case "google.protobuf.Timestamp":
		t, err := time.Parse(time.RFC3339Nano, value)
		if err != nil {
			return "is not a time such as 2020-01-20T09:00:00+09:00"
		}
		if !timestamppb.New(t).IsValid() {
			return "is out of range"
		}
	case "google.protobuf.Duration":
		if _, err := time.ParseDuration(value); err != nil {
			return "is not a duration such as 1.5s"
		}
	case "google.protobuf.DoubleValue":
		return checkFloat(value, 64)
	case "google.protobuf.FloatValue":
		return checkFloat(value, 32)
	case "google.protobuf.Int64Value":
		return checkInt(value, 64)
	case "google.protobuf.Int32Value":
		return checkInt(value, 32)
	case "google.protobuf.UInt64Value":
		return checkUint(value, 64)
	case "google.protobuf.UInt32Value":
		return checkUint(value, 32)
	case "google.protobuf.BoolValue":
		return checkBool(value)
	case "google.protobuf.BytesValue":
		if _, err := runtime.Bytes(value); err != nil {
			return "is not base64"
		}
	case "google.protobuf.StringValue", "google.protobuf.FieldMask":
	case "google.protobuf.Value":
		if protojson.Unmarshal([]byte(value), &structpb.Value{}) != nil {
			return "is not JSON"
		}
	case "google.protobuf.Struct":
		if protojson.Unmarshal([]byte(value), &structpb.Struct{}) != nil {
			return "is not a JSON object"
		}
	case "google.protobuf.Empty":
		if value != "" && value != "{}" {
			return "must be empty or {}"
		}
	default:
		return "cannot be given as a query parameter"
	}
	return ""
}

func checkBool(value string) string {
	if _, err := strconv.ParseBool(value); err != nil {
		return "must be true or false"
	}
	return ""
}

func checkInt(value string, bits int) string {
	_, err := strconv.ParseInt(value, 10, bits)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return fmt.Sprintf("is out of range (%d to %d)", int64(-1)<<(bits-1), uint64(1)<<(bits-1)-1)
	case err != nil:
		return "is not a whole number"
	}
	return ""
}

func checkUint(value string, bits int) string {
	_, err := strconv.ParseUint(value, 10, bits)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return fmt.Sprintf("is out of range (0 to %d)", uint64(math.MaxUint64)>>(64-bits))
	case err == nil:
		return ""
	}
	if _, err := strconv.ParseInt(value, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return "must not be negative"
	}
	return "is not a whole number"
}

func checkFloat(value string, bits int) string {
	var err error
	if bits == 32 {
		_, err = runtime.Float32(value)
	} else {
		_, err = runtime.Float64(value)
	}
	switch {
	case errors.Is(err, strconv.ErrRange):
		return "is out of range"
	case err != nil:
		return "is not a number"
	}
	return ""
}
