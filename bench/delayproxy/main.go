// Command delayproxy forwards a loopback port to an IMAP server with a
// fixed one-way delay in each direction and an optional bandwidth limit,
// so that pipelining and compression can be measured on one machine:
//
//	delayproxy -target 127.0.0.1:143 -delay 10ms -rate 12500000
//
// It prints the address it listens on and runs until interrupted.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/imapctl/imapctl/bench/delay"
)

func main() {
	target := flag.String("target", "", "host:port to forward to")
	oneWay := flag.Duration("delay", 10*time.Millisecond, "delay added in each direction")
	rate := flag.Int64("rate", 0, "bytes per second per direction (0: no limit)")
	flag.Parse()
	p := &delay.Proxy{Target: *target, OneWay: *oneWay, BytesPerSecond: *rate}
	addr, err := p.Listen()
	if err != nil {
		fmt.Fprintln(os.Stderr, "delayproxy:", err)
		os.Exit(1)
	}
	fmt.Println(addr)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
	p.Close()
}
