package checks

import (
	"context"
	"fmt"
	"slices"

	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// checkSetup is check 1: the static validation against the guide, one
// finding per field, plus the values Entra's portal refused to save.
func checkSetup(_ context.Context, r *rehearsal) Result {
	var res Result
	fs := setup.Validate(r.s)
	errs := len(setup.Errors(fs))
	// The remediations carry the findings whole; the details only say
	// what the rehearsal could not reproduce.
	for _, f := range fs {
		res.Remediations = append(res.Remediations, fromFinding(f))
	}
	for _, section := range []string{"saml", "claims", "provisioning"} {
		for _, rf := range r.app.refused[section] {
			// One finding per field: a value the validation already
			// blames keeps its finding (and its count), with the portal's
			// words beside it.
			if slices.ContainsFunc(res.Remediations, func(x Remediation) bool { return x.Field == rf.Field }) {
				res.Details = append(res.Details, rf.Label+": "+rf.Problem)
				continue
			}
			errs++
			res.Remediations = append(res.Remediations, rf)
		}
	}
	res.Details = append(res.Details, r.app.notes...)
	warns := len(fs) - len(setup.Errors(fs))
	switch {
	case errs > 0:
		res.Status = Fail
		res.Summary = fmt.Sprintf("%s and %s differ from the guide.", plural.Count(errs, "error"), plural.Count(warns, "warning"))
	case warns > 0:
		res.Status = Warn
		res.Summary = fmt.Sprintf("%s: values the guide advises against.", plural.Count(warns, "warning"))
	default:
		res.Status = Pass
		res.Summary = "Every value is what the guide says."
	}
	return res
}
