# gfenroll-fixture: delete
