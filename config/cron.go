package config

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// Cron is a parsed cron schedule: when the daemon runs. It is parsed once,
// at config load (or by ParseCron); the daemon only asks it for the next
// time. The zero Cron is DefaultCron.
type Cron struct {
	spec  string
	sched cron.Schedule
}

// defaultCron is DefaultCron parsed, what the zero Cron stands for.
var defaultCron = func() Cron {
	c, err := ParseCron(DefaultCron)
	if err != nil {
		panic(err)
	}
	return c
}()

// ParseCron parses spec in robfig/cron's standard syntax with descriptors
// and an optional time zone ("@hourly", "0 */2 * * *",
// "TZ=Europe/Prague 0 6 * * 1-5").
func ParseCron(spec string) (c Cron, err error) {
	// robfig/cron v3.0.1 panics on a "TZ=Zone" prefix with nothing after
	// it; this is the one place that parses, so the one place that recovers.
	defer func() {
		if r := recover(); r != nil {
			c, err = Cron{}, fmt.Errorf("invalid cron expression %q", spec)
		}
	}()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return Cron{}, fmt.Errorf("invalid cron expression %q: %v", spec, err)
	}
	return Cron{spec: spec, sched: s}, nil
}

// Next is the first scheduled time after t; zero if there is none.
func (c Cron) Next(t time.Time) time.Time {
	if c.sched == nil {
		return defaultCron.sched.Next(t)
	}
	return c.sched.Next(t)
}

// String is the spec as written in the config file.
func (c Cron) String() string {
	if c.sched == nil {
		return DefaultCron
	}
	return c.spec
}
