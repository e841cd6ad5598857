def test_simple_task_round_trip(owner, advisor):
    assert owner.deploy("simple_task.bpmn").json["version"] == 1
    started = advisor.start("simple_task", business_key="B-1")
    assert started["status"] == "running"
    task = advisor.task_named("task_fill")
    detail = advisor.get(f"/api/v1/tasks/{task['id']}").json
    assert detail["form"]["schema"]["required"]
    advisor.complete(task["id"], {"title": "hello", "amount": 3})
    assert advisor.instance(started["id"])["status"] == "completed"
