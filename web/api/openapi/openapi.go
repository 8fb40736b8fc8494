// Package openapi holds the OpenAPI 3.1 document of the JSON API, the one
// description of /platform/v1 that the tests, the linters, the generated
// client and the /docs/api page all read.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"gopkg.in/yaml.v3"
)

// YAML is the document as written (web/api/openapi/openapi.yaml).
//
//go:embed openapi.yaml
var YAML []byte

// JSON is the document as served at GET /platform/v1/openapi.json, converted
// from the YAML source once.
var JSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(YAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml as JSON: %w", err)
	}
	return b, nil
})
