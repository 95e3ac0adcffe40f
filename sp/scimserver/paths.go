package scimserver

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/filter"
)

// checkPatchPaths refuses, before anything is applied, PATCH operations
// that address an attribute the User schema does not have: a path such as
// "nickname2" or "name.middle", a path-less key of the aadOptscim062020
// dialect ("name.givenNme"), or a value filter on an unknown
// sub-attribute (emails[tpye eq "work"]). RFC 7644 §3.5.2 makes these 400
// invalidPath. package patch would store them, because it also serves
// resources whose schema is open; this server's User schema is closed
// except for attributes qualified with a schema URN it does not know
// (Entra's custom extension attributes), which are kept as sent. A
// password anywhere is refused as RudderStack's profile says.
func checkPatchPaths(rt *scim.ResourceType, req scim.PatchOp) error {
	for i, op := range req.Operations {
		var err error
		if strings.TrimSpace(op.Path) != "" {
			err = checkPathText(rt, strings.TrimSpace(op.Path), op.Value)
		} else if m, ok := op.Value.(map[string]any); ok {
			err = checkValueKeys(rt, m)
		}
		if err != nil {
			if se, ok := err.(*scim.Error); ok {
				return se
			}
			return fmt.Errorf("Operations[%d] (%s %q): %w", i, op.Op, op.Path, err)
		}
	}
	return nil
}

// checkValueKeys checks the keys of a path-less add or replace, each an
// attribute path or an extension URN holding an object of attributes.
func checkValueKeys(rt *scim.ResourceType, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := checkPathText(rt, k, m[k]); err != nil {
			return fmt.Errorf("value key %q: %w", k, err)
		}
	}
	return nil
}

func checkPathText(rt *scim.ResourceType, text string, value any) error {
	if ext := rt.Extension(text); ext != nil {
		return checkExtensionObject(ext, value)
	}
	p, err := filter.ParsePath(text)
	if err != nil {
		return err // wraps scim.ErrInvalidPath
	}
	return checkPath(rt, p, value)
}

// checkExtensionObject checks the attribute names of an object given for
// a whole extension ("urn:...:enterprise:2.0:User": {...}).
func checkExtensionObject(ext *scim.Schema, value any) error {
	m, ok := value.(map[string]any)
	if !ok {
		return nil // package patch reports the wrong type
	}
	for k := range m {
		if ext.Attribute(k) == nil {
			return unknownAttr(fmt.Sprintf("%s:%s", ext.ID, k), ext)
		}
	}
	return nil
}

func checkPath(rt *scim.ResourceType, p filter.Path, value any) error {
	if p.URI == "" && (strings.EqualFold(p.Attr, "meta") || strings.EqualFold(p.Attr, "schemas")) {
		return nil // set by the server; ignored in requests
	}
	if (p.URI == "" || rt.IsCore(p.URI)) && strings.EqualFold(p.Attr, "password") {
		return errPassword
	}
	if p.URI != "" && p.Filter == nil {
		// The extension itself, or its attribute in the pre-2018 dotted
		// form urn:...:User.department.
		if ext := rt.Extension(p.URI + ":" + p.Attr); ext != nil {
			if p.Sub == "" {
				return checkExtensionObject(ext, value)
			}
			if ext.Attribute(p.Sub) == nil {
				return unknownAttr(p.String(), ext)
			}
			return nil
		}
	}
	def, _ := rt.Lookup(p.URI, p.Attr)
	if def == nil {
		if p.URI != "" && !rt.IsCore(p.URI) && rt.Extension(p.URI) == nil {
			return nil // a custom extension attribute, kept as sent
		}
		schema := rt.Schema
		if ext := rt.Extension(p.URI); ext != nil {
			schema = ext
		}
		return unknownAttr(p.String(), schema)
	}
	if p.Sub != "" {
		if def.Type != scim.TypeComplex {
			return fmt.Errorf("%w: %s has no sub-attributes, so %s addresses nothing", scim.ErrInvalidPath, def.Name, p)
		}
		if def.Sub(p.Sub) == nil {
			return fmt.Errorf("%w: %s has no sub-attribute %q; it has %s", scim.ErrInvalidPath, def.Name, p.Sub, subNames(def))
		}
	}
	if p.Filter != nil && def.Type == scim.TypeComplex {
		return checkFilterAttrs(p.Filter, def)
	}
	return nil
}

// checkFilterAttrs checks that a value filter tests sub-attributes the
// multi-valued attribute has, so create-on-absent can't make an element
// with a misspelt key.
func checkFilterAttrs(e filter.Expr, def *scim.Attribute) error {
	switch e := e.(type) {
	case *filter.Logical:
		if err := checkFilterAttrs(e.Left, def); err != nil {
			return err
		}
		return checkFilterAttrs(e.Right, def)
	case *filter.Not:
		return checkFilterAttrs(e.X, def)
	case *filter.Compare:
		if e.Path.URI == "" && def.Sub(e.Path.Attr) == nil {
			return fmt.Errorf("%w: the filter of %s tests %q, which %s does not have; it has %s", scim.ErrInvalidPath, def.Name, e.Path.Attr, def.Name, subNames(def))
		}
	}
	return nil
}

func unknownAttr(path string, schema *scim.Schema) error {
	return fmt.Errorf("%w: %s is not an attribute of the %s schema (%s), so there is nothing to write; check the target attribute of this mapping in Entra under Provisioning > Mappings > Provision Microsoft Entra ID Users", scim.ErrInvalidPath, path, schema.Name, schema.ID)
}

func subNames(def *scim.Attribute) string {
	names := make([]string, 0, len(def.SubAttributes))
	for _, s := range def.SubAttributes {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
