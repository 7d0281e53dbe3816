"""klasse.ui"""
