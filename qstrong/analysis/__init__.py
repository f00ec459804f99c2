"""Analysis over scores: gaps (where points are lost, who is responsible, what would win them back)."""
