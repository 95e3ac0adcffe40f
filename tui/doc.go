// Package tui is the wizard: a Bubble Tea program that walks an admin
// through RudderStack's Entra ID guide in ten steps — welcome, create the
// application, Basic SAML Configuration, Attributes & Claims, certificate
// and metadata URL, users and groups, the RudderStack access token, SCIM
// configuration, live checks, and a summary to hand over — and rehearses
// every value against the mock Entra ID and mock RudderStack of
// internal/checks.
//
// # Shape
//
// One top-level Model owns the state: the setup.Setup being edited (the
// file format, defaults and validation are internal/setup's), the
// rehearsal environment and what it returned (the app's IDs, the token,
// Test Connection, the check results). Each step is a small type that
// renders part of that state into the body's rectangle and turns keys
// into changes or commands; the Model routes messages, draws the frame
// (header, stepper, title, where the screen is in Entra or RudderStack,
// body, status and help lines) and moves between steps.
//
// House rules, as in crush and soft-serve: no I/O in Update (file saves,
// the mocks, the clipboard are commands that report with a typed ...Msg);
// commands never touch the model; one Styles built from one palette, light
// or dark from the terminal's background; one KeyMap; widths measured
// ANSI-aware. Frames depend only on state — no blinking cursor, no timers
// other than the spinner while something runs — so golden tests are
// stable.
//
// # Behaviour
//
// Fields are validated on every key press with setup.Validate, the reason
// beside any field that is off. Enter confirms a step (doing its live part
// first: create the app, generate the token, test the connection); a step
// with an error asks for a second enter, so a wrong value can still be
// rehearsed on purpose. Esc goes back from any step. Progress is saved to
// the setup file on every step change and offered for resume at start; a
// file that can't be read is never overwritten; quitting with unsaved
// changes asks first. From the live checks, f opens the step that holds a
// failing field; from the summary, a step's number reopens it. Leaving a
// reopened step re-runs only the checks its changes affect (affects.go).
// Extra screens (the Debugging screen) plug in through Options.Screens.
//
// RunAccessible asks the same questions as plain prompts (huh's accessible
// mode) for screen readers and non-terminals.
package tui
