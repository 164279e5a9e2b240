print("mlgym-sandbox")
