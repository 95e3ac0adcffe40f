package lab

import (
	"errors"
	"net/http"
)

// CloseNow stops both servers at once, cutting any connection still open,
// and closes the state. It is for a lab whose work is done (a rehearsal
// that has finished its checks): Close waits for HTTP/2 connections to
// wind down, which takes up to a second per server after GOAWAY, while
// CloseNow returns in a few milliseconds.
func (l *Lab) CloseNow() error {
	if l.stopEngine != nil {
		l.stopEngine()
	}
	if l.Provisioning != nil {
		l.Provisioning.Stop()
	}
	if l.transport != nil {
		l.transport.CloseIdleConnections()
	}
	var errs []error
	for _, srv := range l.servers {
		if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	l.wg.Wait()
	errs = append(errs, l.closeAll())
	return errors.Join(errs...)
}
