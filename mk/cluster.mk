# Several instances, a read replica and nginx in front: scripts/test-cluster.sh.

.PHONY: test-cluster
test-cluster: ## primary + streaming replica, two verity serve behind nginx (deploy/), mixed load through two rolling restarts: zero failed requests, no lost or doubled write
	@scripts/test-cluster.sh
