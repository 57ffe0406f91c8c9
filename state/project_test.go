package state

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestProjectRecords(t *testing.T) {
	db, _ := openTemp(t)
	rec, err := db.Project("group/unknown")
	if err != nil || !reflect.DeepEqual(rec, ProjectRecord{}) {
		t.Errorf("Project(unknown) = %+v, %v; want the zero record", rec, err)
	}
	want := ProjectRecord{DashboardIID: 3, LastRun: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	if err := db.PutProject("group/app", want); err != nil {
		t.Fatal(err)
	}
	if err := db.PutProject("group/other", ProjectRecord{}); err != nil {
		t.Fatal(err)
	}
	if paths, err := db.Projects(); err != nil || !reflect.DeepEqual(paths, []string{"group/app", "group/other"}) {
		t.Errorf("Projects = %q, %v", paths, err)
	}
	if err := db.DeleteProject("group/other"); err != nil {
		t.Fatal(err)
	}
	if paths, _ := db.Projects(); !reflect.DeepEqual(paths, []string{"group/app"}) {
		t.Errorf("Projects after delete = %q", paths)
	}

	boom := errors.New("boom")
	err = db.UpdateProject("group/app", func(r *ProjectRecord) error {
		r.DashboardIID = 99
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("UpdateProject err = %v; want boom", err)
	}
	if got, _ := db.Project("group/app"); got.DashboardIID != 3 {
		t.Errorf("a failed update was written: %+v", got)
	}
}

// Two writers changing different fields at once must both land.
func TestUpdateProjectKeepsConcurrentWrites(t *testing.T) {
	db, _ := openTemp(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- db.UpdateProject("g/p", func(r *ProjectRecord) error {
				if r.ClosedUpdates == nil {
					r.ClosedUpdates = map[string]string{}
				}
				r.ClosedUpdates[string(rune('a'+i))] = "1.0"
				return nil
			})
		}()
		go func() {
			defer wg.Done()
			errs <- db.UpdateProject("g/p", func(r *ProjectRecord) error {
				r.DashboardIID++
				return nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	rec, err := db.Project("g/p")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.ClosedUpdates) != 20 || rec.DashboardIID != 20 {
		t.Errorf("after 20+20 updates: %d closed updates, DashboardIID %d; want 20 and 20", len(rec.ClosedUpdates), rec.DashboardIID)
	}
}

func TestUpdateProjectPanicIsNotCorruption(t *testing.T) {
	db, _ := openTemp(t)
	func() {
		defer func() {
			if r := recover(); r != "caller bug" {
				t.Errorf("recovered %v; want the caller's own panic", r)
			}
		}()
		_ = db.UpdateProject("g/p", func(r *ProjectRecord) error {
			r.DashboardIID = 1
			panic("caller bug")
		})
	}()
	// The transaction rolled back and the DB is still usable.
	if rec, err := db.Project("g/p"); err != nil || rec.DashboardIID != 0 {
		t.Errorf("after the panic: %+v, %v; want the zero record", rec, err)
	}
	if err := db.PutProject("g/p", ProjectRecord{DashboardIID: 2}); err != nil {
		t.Error(err)
	}
}
