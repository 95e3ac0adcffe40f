package chromiumtest

import (
	"fmt"
	"strconv"
)

// Where a walk through the mock Entra's sign-in pages ended.
const (
	EndHome        = "home"        // the SP's signed-in page (#me)
	EndEntraError  = "entra-error" // Entra's error page
	EndFormError   = "form-error"  // an error on Entra's sign-in form (wrong password)
	EndSPError     = "sp-error"    // an error page of the SP (Cognito's or the app's)
	EndLoggedOut   = "signed-out"  // the SP's signed-out page
	EndOther       = "other"       // a page the walk does not know
	maxEntraScreen = 8
)

// pageState names the page on screen, by the element IDs Entra's pages
// (and the mocks') use.
const pageState = `(() => {
  const q = s => document.querySelector(s);
  if (q('#me')) return 'home';
  if (q('#signed-out')) return 'signed-out';
  if (q('#errorMessage')) return 'entra-error';
  if (q('#error-message')) return 'sp-error';
  if (q('#passwordError') || q('#usernameError')) return 'form-error';
  if (q('#kmsiTitle')) return 'kmsi';
  if (q('#i0118')) return 'password';
  if (q('#i0116')) return 'email';
  return 'other';
})()`

// EntraSignIn walks the mock Entra's sign-in pages from the page on
// screen: the "Sign in" email box or account tile, "Enter password", and
// "Stay signed in?" (answered with staySignedIn), until a page that ends
// the walk. It returns that page's kind (End*) and the screens it passed.
func (b *Browser) EntraSignIn(upn, password string, staySignedIn bool) (end string, screens []string, err error) {
	for range maxEntraScreen {
		st, err := b.Eval(pageState)
		if err != nil {
			return "", screens, fmt.Errorf("read the page: %w", err)
		}
		screens = append(screens, st)
		switch st {
		case "email":
			tile := `button[data-test-id=` + strconv.Quote(upn) + `]`
			if has, _ := b.Eval(`document.querySelector(` + strconv.Quote(tile) + `) ? "yes" : "no"`); has == "yes" {
				err = b.ClickAndWait(tile)
				break
			}
			if err = b.Run("clear the email box", clearField("#i0116")); err != nil {
				break
			}
			if err = b.Fill("#i0116", upn); err == nil {
				err = b.ClickAndWait("#idSIButton9")
			}
		case "password":
			if err = b.Fill("#i0118", password); err == nil {
				err = b.ClickAndWait("#idSIButton9")
			}
		case "kmsi":
			button := "#idBtn_Back"
			if staySignedIn {
				button = "#idSIButton9"
			}
			err = b.ClickAndWait(button)
		default:
			return st, screens, nil
		}
		if err != nil {
			return "", screens, err
		}
	}
	return EndOther, screens, fmt.Errorf("the sign-in took more than %d screens: %v", maxEntraScreen, screens)
}
