// Package openapi holds the OpenAPI (Swagger 2.0) document of the whole
// REST API, generated from proto/ by protoc-gen-openapiv2.
package openapi

import _ "embed"

// Document is the merged OpenAPI document, as generated.
//
//go:embed gongyak.swagger.json
var Document []byte
