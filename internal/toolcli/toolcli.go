// Package toolcli reads the command lines of the project's tools (cmd/...)
// one way: -h prints the usage on stdout and exits 0; a flag the tool does
// not know, a bad value or a stray argument is reported with the usage on
// stderr and exits 2, as Go's flag package does. The action never imports
// it.
package toolcli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Parse parses args into fs. usage is the text before the flags' defaults.
// ok says the tool should run; otherwise it should exit with code.
func Parse(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return 0, false
	default:
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		fs.SetOutput(stderr)
		fs.Usage()
		return 2, false
	}
}
