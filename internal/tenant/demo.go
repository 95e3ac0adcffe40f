package tenant

import (
	"bytes"
	_ "embed"
	"fmt"
)

// demoFile is the guide's demo tenant, the default tenant file.
//
//go:embed demo.yaml
var demoFile []byte

// DemoName is what errors call the embedded demo tenant file.
const DemoName = "demo tenant"

// DemoYAML returns the demo tenant file as `ssowiz tenant init` writes it.
func DemoYAML() []byte { return bytes.Clone(demoFile) }

// Demo returns the guide's demo tenant: the RudderStack app, six demo
// users and their group.
// Its error can only be a defect of this build: the file is embedded and
// tested.
func Demo() (*File, error) {
	f, err := parse(demoFile, DemoName)
	if err != nil {
		return nil, fmt.Errorf("the embedded demo tenant is invalid: %w", err)
	}
	return f, nil
}
