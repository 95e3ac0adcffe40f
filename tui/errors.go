package tui

import "errors"

// ErrNoSetupFile is reported when saving is asked for but the wizard was
// started without a setup file.
var ErrNoSetupFile = errors.New("no setup file to save to: start ssowiz with --setup FILE")

// ErrKeepFile is reported when saving would overwrite a setup file that
// could not be read: it may hold someone's work, so it is left alone.
var ErrKeepFile = errors.New("not overwriting the setup file")

// ErrNoTerminal is returned by Run when standard input or output is not a
// terminal.
var ErrNoTerminal = errors.New("the wizard needs a terminal")

// ErrInputEnded is returned by RunAccessible when standard input ends
// before the wizard does.
var ErrInputEnded = errors.New("standard input ended before the wizard finished")
