// Command etcd is a build wrapper: the etcd root module carries replace
// directives, so `go install` refuses it; importing etcdmain from a module of
// our own builds the same server from the Go module proxy.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
