package daemon

// ProjectStatus reports one project (for the tests).
func (l *Loop) ProjectStatus(project string) (ProjectStatus, bool) {
	l.mu.Lock()
	p, ok := l.projects[project]
	l.mu.Unlock()
	if !ok {
		return ProjectStatus{}, false
	}
	return p.snapshot(), true
}
