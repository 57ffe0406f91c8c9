// Package discard holds the one logger that drops everything: the default
// of every part that takes a logrus.FieldLogger and was given none, and
// the quiet logger of tests that do not read the logs.
package discard

import (
	"io"

	"github.com/sirupsen/logrus"
)

var logger = func() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetLevel(logrus.PanicLevel) // nothing is even formatted
	return l
}()

// Logger returns a logger that writes nothing.
func Logger() logrus.FieldLogger { return logrus.NewEntry(logger) }
