def test_me_shows_my_profile(ana, client_for):
    response = client_for(ana).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "ana"
