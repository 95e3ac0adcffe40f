package scim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PatchOp is a PATCH request body (RFC 7644 §3.5.2). Apply it with package
// patch.
type PatchOp struct {
	// Schemas lists SchemaPatchOp; other URIs are tolerated.
	Schemas []string `json:"schemas"`
	// Operations are applied in order, all or nothing.
	Operations []Operation `json:"Operations"`
}

// Operation is one PATCH operation. Op keeps the case the client sent
// (Entra sends "Replace" by default and "replace" with aadOptscim062020);
// compare it with Kind.
type Operation struct {
	// Op is "add", "replace" or "remove", in any case.
	Op string `json:"op"`
	// Path is the attribute path, or "" to address the resource itself.
	Path string `json:"path,omitzero"`
	// Value is the JSON value (numbers as json.Number), nil when absent.
	Value any `json:"value,omitempty"`
}

// OpKind is an operation's kind, from Operation.Kind.
type OpKind int

// The three PATCH operations.
const (
	OpInvalid OpKind = iota
	OpAdd
	OpReplace
	OpRemove
)

// String returns the lower-case RFC name.
func (k OpKind) String() string {
	switch k {
	case OpAdd:
		return "add"
	case OpReplace:
		return "replace"
	case OpRemove:
		return "remove"
	}
	return "invalid"
}

// Kind parses Op ignoring case, as Microsoft's SCIM guidance requires.
func (o Operation) Kind() OpKind {
	switch strings.ToLower(o.Op) {
	case "add":
		return OpAdd
	case "replace":
		return OpReplace
	case "remove":
		return OpRemove
	}
	return OpInvalid
}

// NewPatchOp returns a PatchOp with the PatchOp schema and ops.
func NewPatchOp(ops ...Operation) PatchOp {
	return PatchOp{Schemas: []string{SchemaPatchOp}, Operations: ops}
}

// ParsePatchOp reads a PATCH body. It checks the message shape only (the
// PatchOp schema is listed, Operations is a non-empty array of objects
// whose op is add, replace or remove, path is a string); paths and values
// are checked when the operations are applied. Errors wrap
// ErrInvalidSyntax (or ErrInvalidValue for a missing value) and name the
// operation by its index.
func ParsePatchOp(data []byte) (PatchOp, error) {
	v, err := DecodeJSON(data)
	if err != nil {
		return PatchOp{}, err
	}
	body, ok := v.(map[string]any)
	if !ok {
		return PatchOp{}, fmt.Errorf("%w: a PATCH body must be a JSON object, got %s", ErrInvalidSyntax, jsonKind(v))
	}
	var p PatchOp
	if k, ok := FindKey(body, "schemas"); ok {
		if err := checkSchemas(body[k]); err != nil {
			return PatchOp{}, fmt.Errorf("%w: %v", ErrInvalidSyntax, err)
		}
		for _, s := range body[k].([]any) {
			p.Schemas = append(p.Schemas, s.(string))
		}
	}
	if !containsFold(p.Schemas, SchemaPatchOp) {
		return PatchOp{}, fmt.Errorf("%w: schemas must list %s", ErrInvalidSyntax, SchemaPatchOp)
	}
	k, ok := FindKey(body, "Operations")
	if !ok {
		return PatchOp{}, fmt.Errorf("%w: the PATCH body has no Operations array", ErrInvalidSyntax)
	}
	ops, ok := body[k].([]any)
	if !ok || len(ops) == 0 {
		return PatchOp{}, fmt.Errorf("%w: Operations must be a non-empty array of operations, got %s", ErrInvalidSyntax, jsonKind(body[k]))
	}
	for i, raw := range ops {
		op, err := parseOperation(raw)
		if err != nil {
			return PatchOp{}, fmt.Errorf("Operations[%d]: %w", i, err)
		}
		p.Operations = append(p.Operations, op)
	}
	return p, nil
}

func parseOperation(raw any) (Operation, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return Operation{}, fmt.Errorf("%w: an operation must be an object with op, path and value, got %s", ErrInvalidSyntax, jsonKind(raw))
	}
	var op Operation
	k, ok := FindKey(m, "op")
	if !ok {
		return Operation{}, fmt.Errorf("%w: op is missing (add, replace or remove)", ErrInvalidSyntax)
	}
	if op.Op, ok = m[k].(string); !ok {
		return Operation{}, fmt.Errorf("%w: op must be a string (add, replace or remove), got %s", ErrInvalidSyntax, jsonKind(m[k]))
	}
	if op.Kind() == OpInvalid {
		return Operation{}, fmt.Errorf("%w: op %q is not add, replace or remove", ErrInvalidSyntax, op.Op)
	}
	if k, ok := FindKey(m, "path"); ok && m[k] != nil {
		if op.Path, ok = m[k].(string); !ok {
			return Operation{}, fmt.Errorf("%w: path must be a string, got %s", ErrInvalidSyntax, jsonKind(m[k]))
		}
	}
	k, hasValue := FindKey(m, "value")
	if hasValue {
		op.Value = m[k]
	}
	if op.Kind() != OpRemove && (!hasValue || op.Value == nil) && op.Path == "" {
		return Operation{}, fmt.Errorf("%w: %s without a path needs a value object of attributes", ErrInvalidValue, op.Op)
	}
	return op, nil
}

// MarshalJSON writes the body with the PatchOp schema when Schemas is
// empty.
func (p PatchOp) MarshalJSON() ([]byte, error) {
	type plain PatchOp
	if len(p.Schemas) == 0 {
		p.Schemas = []string{SchemaPatchOp}
	}
	return json.Marshal(plain(p))
}
