"""klasse.media"""
